import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { answerQuestion } from "../src/answer/answer.js";
import { type Assistant, openAssistant } from "../src/assistant.js";
import { guildLibrary, libraryFolders } from "../src/index/library.js";
import { tempDataDir } from "./support/dataDir.js";

// Libraries in the core: the shared documents, and one library per server, each with its own
// index; a question in a server is answered from both, never from another server's.

const ONE = "111111111111111111";
const TWO = "222222222222222222";
const FESTIVAL = "When does the Zorblat lantern festival take place?";

let data: Awaited<ReturnType<typeof tempDataDir>>;
let assistant: Assistant;

beforeAll(async () => {
  data = await tempDataDir();
  const { docsDir } = libraryFolders(data.config, guildLibrary(ONE));
  await mkdir(docsDir, { recursive: true });
  await writeFile(
    path.join(docsDir, "zorblat.txt"),
    "Zorblat lantern festival\n\nThe Zorblat lantern festival takes place every February in Tromsø.\n",
  );
  ({ assistant } = await openAssistant(data.config));
});

afterAll(async () => {
  await data?.remove();
});

test("a server's document answers in that server only, cited as the server's; shared documents answer everywhere", async () => {
  const inOne = await answerQuestion(assistant, FESTIVAL, { guildId: ONE });
  expect(inOne.answer).toContain("every February in Tromsø");
  expect(inOne.sources[0]).toMatchObject({ source: "zorblat.txt", library: "guild" });

  for (const guildId of [TWO, undefined]) {
    const elsewhere = await answerQuestion(assistant, FESTIVAL, { guildId });
    expect(elsewhere.answered).toBe(false);
  }
  for (const guildId of [ONE, TWO, undefined]) {
    const shared = await answerQuestion(assistant, "Who sponsored the resolution?", { guildId });
    expect(shared.answer).toContain("China");
    expect(shared.sources[0].library).toBe("shared");
  }
});

test("a server's index is built on first use, persisted under its own folder, and reopened without a rebuild", async () => {
  const { indexDir } = libraryFolders(data.config, guildLibrary(ONE));
  expect(await readdir(indexDir)).toContain("current");
  // A server that has never been used has no folder at all.
  await expect(readdir(path.join(data.dir, "guilds", TWO))).rejects.toThrow(/ENOENT/);

  const { assistant: reopened } = await openAssistant(data.config);
  const before = (await assistant.knowledgeBase.library(guildLibrary(ONE)))?.manifest.builtAt;
  const after = (await reopened.knowledgeBase.library(guildLibrary(ONE)))?.manifest.builtAt;
  expect(after).toBe(before);
});

test("reloading a server's library rebuilds it alone; emptied, it answers nothing of its own", async () => {
  const library = guildLibrary(ONE);
  const sharedBuilt = assistant.knowledgeBase.manifest.builtAt;
  const { docsDir } = libraryFolders(data.config, library);
  await writeFile(
    path.join(docsDir, "zorblat.txt"),
    "Zorblat lantern festival\n\nThe Zorblat lantern festival takes place every March in Tromsø.\n",
  );
  const report = await assistant.knowledgeBase.reload(undefined, library);
  expect(report.changed).toEqual(["zorblat.txt"]);
  expect(assistant.knowledgeBase.manifest.builtAt).toBe(sharedBuilt);
  const changed = await answerQuestion(assistant, FESTIVAL, { guildId: ONE });
  expect(changed.answer).toContain("every March in Tromsø");

  await rm(path.join(docsDir, "zorblat.txt"));
  const emptied = await assistant.knowledgeBase.reload(undefined, library);
  expect(emptied).toMatchObject({ documents: 0, removed: ["zorblat.txt"] });
  const gone = await answerQuestion(assistant, FESTIVAL, { guildId: ONE });
  expect(gone.answered).toBe(false);
});

test("a server id that is not a Discord id cannot name a folder", () => {
  expect(() => guildLibrary("../../etc")).toThrow(/not a Discord server id/);
});
