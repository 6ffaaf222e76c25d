/**
 * Receives the checked part of the model's answer each time it grows: its complete sentences that
 * pass the check (see checkedPartial), numbered as the final answer will number them; never text
 * that has not been checked. The final answer (or the fallback) is what answerQuestion returns,
 * not the last call. It must not throw: an error here ends the model's answer.
 */
export type OnPartial = (text: string) => void;

/** Why the model's answer cannot be shown, in words for the person who asked. */
export class ModelAnswerError extends Error {}
