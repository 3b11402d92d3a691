namespace Safeguard.Stream.Classification.Llm;

/// <summary>The server answered 200 with a body that is not a readable completion.</summary>
public sealed class MalformedResponseException : Exception
{
    public MalformedResponseException()
    {
    }

    public MalformedResponseException(string message)
        : base(message)
    {
    }

    public MalformedResponseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The model server refused this request (4xx): the edit is dead-lettered.</summary>
public sealed class LlmRejectedException : Exception
{
    public LlmRejectedException()
    {
    }

    public LlmRejectedException(string message)
        : base(message)
    {
    }

    public LlmRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The model server could not be reached or kept failing: the stage waits and tries again, never guesses.</summary>
public sealed class LlmUnavailableException : Exception
{
    public LlmUnavailableException()
    {
    }

    public LlmUnavailableException(string message)
        : base(message)
    {
    }

    public LlmUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
