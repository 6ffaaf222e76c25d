import MiniSearch from "minisearch";
import { STOP_WORDS, stem, wordsWithParts } from "../text/tokens.js";

interface Indexed {
  id: string;
  text: string;
}

const options = {
  fields: ["text"],
  tokenize: (text: string) => wordsWithParts(text),
  processTerm: (term: string) => (STOP_WORDS.has(term) ? null : stem(term)),
};

/** A BM25 index over the chunks (MiniSearch: an inverted index built once, persisted as JSON). */
export class LexicalIndex {
  private constructor(private readonly search: MiniSearch<Indexed>) {}

  /** Indexes the chunks a batch at a time, letting the event loop run in between. */
  static async build(chunks: Indexed[]): Promise<LexicalIndex> {
    const search = new MiniSearch<Indexed>(options);
    await search.addAllAsync(chunks, { chunkSize: 256 });
    return new LexicalIndex(search);
  }

  /** Reads a persisted index, letting the event loop run now and then. */
  static async load(json: string): Promise<LexicalIndex> {
    return new LexicalIndex(await MiniSearch.loadJSONAsync<Indexed>(json, options));
  }

  toJSON(): string {
    return JSON.stringify(this.search);
  }

  /** Chunk ids with their BM25 scores, best first. */
  query(text: string, k: number): { id: string; score: number }[] {
    return this.search
      .search(text, { combineWith: "OR" })
      .slice(0, k)
      .map((hit) => ({ id: String(hit.id), score: hit.score }));
  }
}
