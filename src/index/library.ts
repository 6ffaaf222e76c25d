import path from "node:path";
import type { CoreConfig } from "../config.js";

/**
 * A library: a set of documents with an index of its own. The shared one is the operator's
 * (DATA_DIR/docs), every server may have one of its own (DATA_DIR/guilds/<server id>/docs). A
 * library is a parameter of the knowledge base and of its store, never a copy of either.
 */
export type Library = { kind: "shared" } | { kind: "guild"; guildId: string };

export const SHARED: Library = { kind: "shared" };

// A Discord id: digits only, so that it can name a folder (no separator, no "..").
const GUILD_ID = /^\d{17,20}$/;

export function guildLibrary(guildId: string): Library {
  if (!GUILD_ID.test(guildId)) throw new Error(`not a Discord server id: ${guildId}`);
  return { kind: "guild", guildId };
}

/** The libraries a question is answered from: the shared one, and in a server the server's. */
export function librariesFor(guildId: string | null | undefined): Library[] {
  return guildId ? [SHARED, guildLibrary(guildId)] : [SHARED];
}

/** A library's stable id, for maps, logs and stores: "shared" or "guild:<server id>". */
export function libraryId(library: Library): string {
  return library.kind === "shared" ? "shared" : `guild:${library.guildId}`;
}

/** Where a library's documents and index live on disk. */
export function libraryFolders(
  config: Pick<CoreConfig, "docsDir" | "indexDir" | "DATA_DIR">,
  library: Library,
): { docsDir: string; indexDir: string } {
  if (library.kind === "shared") return { docsDir: config.docsDir, indexDir: config.indexDir };
  const root = path.join(path.resolve(config.DATA_DIR), "guilds", library.guildId);
  return { docsDir: path.join(root, "docs"), indexDir: path.join(root, "index") };
}
