import * as ask from "../../commands/ask.js";
import * as docs from "../../commands/docs.js";
import * as document from "../../commands/document.js";
import * as help from "../../commands/help.js";
import * as reload from "../../commands/reload.js";
import type { Command } from "./command.js";

/** Every slash command, by name: what deploy-commands registers and the bot answers. */
export const commands: ReadonlyMap<string, Command> = new Map(
  [ask, docs, document, help, reload].map((command) => [command.data.name, command]),
);
