-- The edit's revert risk from Wikimedia LiftWing, stored with each of its verdicts when one of its policies has a gate
-- (gate: revertrisk < N): the probability that the revision will be reverted, and the model that gave it
-- (revertrisk-language-agnostic:3). Null when no gate asked for it, or when the gate failed open (LiftWing down or
-- slow: the edit was classified unscored). Numbered 0009: 0008 and 0010 belong to other changes.
alter table safeguard.classifications
    add column revert_risk real,
    add column revert_risk_model text;
