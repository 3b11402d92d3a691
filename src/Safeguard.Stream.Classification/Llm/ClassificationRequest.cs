namespace Safeguard.Stream.Classification.Llm;

/// <summary>
/// What <see cref="SafeguardClassifierClient.ClassifyAsync"/> judges: the edit (wiki, page, summary, who) and what it
/// changed. No pipeline envelope: the stage, <c>safeguard classify</c> and eval each build one from what they hold.
/// </summary>
public sealed record ClassificationRequest(EditEvent Edit, DiffText Diff);
