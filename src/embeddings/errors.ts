/** The embedding endpoint failed or did not answer in time: said in words for the person. */
export class EmbeddingsUnavailableError extends Error {
  // Named, so that a build thread's error comes back as this class (see runBuild).
  override name = "EmbeddingsUnavailableError";
}
