import { copyFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerQuestion } from "../src/answer/answer.js";
import { type Assistant, openAssistant } from "../src/assistant.js";
import { tempDataDir } from "./support/dataDir.js";

const ARTICLE = path.resolve("data/docs/un-hrc-cooperation-resolution.txt");

// A package README written for this test: the answerer knows nothing of it beforehand.
const README = `# flow-kit

[![Version npm](https://img.shields.io/npm/v/flow-kit.svg?logo=npm)](https://www.npmjs.com/package/flow-kit)
[![CI](https://img.shields.io/github/actions/workflow/status/flow/flow-kit/ci.yml?branch=main)](https://github.com/flow/flow-kit/actions)

> Streams for busy people.

- Pipes that pause and resume.
- Zero runtime dependencies.

## Project updates

* \`pipe-kit\` has been renamed to flow-kit. See the migration guide for details.
* The flow-kit repository has moved to a new address.

## API

### flowKit.pause()

Put every pipe on hold until resumed.

### flowKit.use(plugin)

Use a plugin, or an array of plugins, for every pipe.

### flowKit.stop()

Stop every pipe for good and free its buffer.

### flowKit.start()

Starts every pipe with the limit and the buffer size it is given.

### flowKit.setLimit(count)

Sets the limit of pipes that flow at once while they are active.

|  |  |
| --- | --- |
| \`count\` | \`Number\` How many pipes may flow at once |
| [\`burst\` = 2] | \`Number\` Pipes let through above the limit for a moment |

### Use the streams API

\`\`\`js
import { openPipe, createPipeStream } from 'flow-kit';
const pipe = openPipe('tcp://example.test');
const duplex = createPipeStream(pipe, { encoding: 'utf8' });
\`\`\`

## Installation

Install flow-kit with npm, then import it in your project. It works in Node.js and in every
current browser, and it needs no build step: the package ships both module formats, so bundlers
pick the one they prefer without any configuration of yours.

\`\`\`sh
npm install flow-kit
\`\`\`

Alternatively, if you prefer to use a \`<script>\` tag, you can load flow-kit
[from a CDN](https://cdn.example/flow-kit):

\`\`\`html
<script src="https://cdn.example/npm/flow-kit@1.2.0/dist/flow-kit.min.js"></script>
\`\`\`

In this case, \`flowKit\` is a global variable of the page.

## Options

- \`fillChar\` (type:char) - character to use as "complete" indicator in the gauge (default: "#")
- \`glue\` (type:string) - a string between the complete and incomplete segments of the gauge (default: empty)
- \`width\` (type:int) - the length of the gauge in chars (default: 30)

## Changelog

Version 2 renamed every option of the pipes.

Version 3 drops the options deprecated in version 2 and adds new gauges. Now one package for
every runtime. The command line tool is moved to a separate package.

## Tokenization

By default, documents are tokenized by splitting on commas.

In every flow, the same tokenization is used by default, but a \`tokenize\` option can change
it.

The default tokenizer can be obtained by calling \`FlowKit.getDefault('tokenize')\`.

A custom tokenizer receives the whole message and returns its tokens as an array of strings,
in the order they are written; empty strings are dropped before the tokens are counted, and the
tokens are kept as they are, without changing their case.

## Pipe options

### timeout

Type: \`number\`

Per-pipe timeout in milliseconds.

### throwOnTimeout

Type: \`boolean\`\\
Default: \`false\`

Whether a timeout is an error.

### autoOpen

Type: \`boolean\`\\
Default: \`true\`

Whether pipes are opened as soon as they are created.

## Connection options

| Option | Default | Description |
| --- | --- | --- |
| \`retries\` | \`3\` | How many times a pipe reconnects after it drops. |
| \`keepAlive\` | \`false\` | Whether idle pipes are kept open. If \`true\`, they ping. |
| \`prefix\` | \`''\` | String inserted before every message. |
| \`itemPrefix\` | \`' * '\` | String prefix for each list item. |
| \`limits.delay\` | \`100\` | Milliseconds a pipe waits before it reconnects. |
| \`limits.waitByDefault\` | \`true\` | Whether reconnects wait when no delay is given. |

## Methods

### close()

Closes every pipe. Returns a promise that settles once the last pipe has closed.

### pending(options)

How many messages wait, filtered by the given options.

\`\`\`js
console.log(pipe.pending({priority: 2}));
//=> 5
\`\`\`

## Events

### drain

Emitted when every pipe has emptied its buffer.

The \`drain\` event fires each time; the promise \`onDrain()\` returns resolves once the pipes drain.

## Wire versions

- **Wire drafts 1-3** (Use the option \`wireVersion: 1\`)
- **Wire drafts 4-6** (Current default, alternatively option \`wireVersion: 4\`)

## Examples

### Tuned pipes

\`\`\`js
// open a pipe that buffers more before it pauses
const pipe = openPipe('tcp://example.test', {
  retries: 7,
  backoff: 250, // milliseconds between two attempts to reconnect
  buffer: {
    highWaterMark: 16 * 1024, // Defaults to the stream's own mark.
    lowWaterMark: 1024,
  },
});
// Use \`pipe.drop()\`, which closes the pipe at once,
// instead of \`pipe.end()\`, which waits for the buffer to drain.
pipe.drop();
\`\`\`

### Sending

\`\`\`js
pipe.send('hello', { compress: true });
\`\`\`

## Presets

**File** \`myPreset.js\`

\`\`\`js
// There is also an alias to \`openPipe\` called \`connectPipe\`.
module.exports = { format: 'pipe {bar}' };
\`\`\`

## FAQ

### How to get the address of a pipe?

When a pipe runs behind a relay like a load balancer, the standard is to read the
\`X-Pipe-Address\` header.

\`\`\`js
pipe.on('connection', function connection(req) {
  const address = req.headers['x-pipe-address'];
});
\`\`\`

### How to detect and close broken connections?

Sometimes the link between two pipes is cut in a way that neither end notices. In these cases,
heartbeat messages can be used to check that the other end still answers.

\`\`\`js
import { openPipe } from 'flow-kit';

function heartbeat() {
  this.isAlive = true;
}

pipe.on('connection', function connection(pipe) {
  pipe.isAlive = true;
  pipe.on('pong', heartbeat);
});

const interval = setInterval(function ping() {
  pipes.forEach(function each(pipe) {
    if (pipe.isAlive === false) return pipe.terminate();
    pipe.isAlive = false;
    pipe.ping();
  });
}, 30000);
\`\`\`

### How to connect via a relay?

Use a custom \`RelayAgent\` implementation like [relay-agent][].

## Multi Pipe Mode

### ::attach()

Adds a new pipe to the container and starts it.

## Plugins

The plugin API lets developers apply their own extensions to pipes.

## Formats

| Format | Valid values | Default |
| --- | --- | --- |
| \`lineEnding\` | \`lf\` or \`crlf\` | \`lf\` |

## License

flow-kit is copyright © 2020+ Ada Lindqvist and released under the MIT license.

## Support

[Discussions on GitHub](https://github.com/flow/flow-kit/discussions)
`;

let assistant: Assistant;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const data = await tempDataDir({ withDocs: false });
  cleanup = data.remove;
  await writeFile(path.join(data.docs, "flow-kit.md"), README);
  // A news story beside it: its dateline tells where it was filed, though "filed" is not written.
  await copyFile(ARTICLE, path.join(data.docs, "un-hrc-cooperation-resolution.txt"));
  ({ assistant } = await openAssistant(data.config));
});
afterAll(() => cleanup());

/** The first line of the answer: the direct answer, when there is one. */
async function firstLine(question: string): Promise<string> {
  return (await answerQuestion(assistant, question)).answer.split("\n")[0];
}

describe("documentation questions", () => {
  it("names the identifier a 'which function' question asks for, taken from the code", async () => {
    expect(await firstLine("Which flow-kit function turns a pipe into a duplex stream?")).toBe(
      "**createPipeStream** [1]",
    );
  });

  it("reads the kind asked for after a hyphenated name", async () => {
    const answer = await answerQuestion(assistant, "Which flow-kit method puts pipes on hold?");
    expect(answer.answered).toBe(true);
    expect(answer.answer).toContain("Put every pipe on hold");
  });

  it("quotes a lead-in that ends in a colon with the code it introduces", async () => {
    const answer = await answerQuestion(assistant, "How can I use flow-kit from a script tag?");
    expect(answer.answered).toBe(true);
    expect(answer.answer).toContain("cdn.example/npm/flow-kit@1.2.0");
    expect(answer.answer).toContain("if you prefer to use a `<script>` tag");
  });

  it("answers 'which … by default' with the default value, not a name", async () => {
    expect(
      await firstLine("Which character fills the complete part of the gauge by default?"),
    ).toMatch(/^\*\*"#"\*\*/);
  });

  it("reads a comment written as a sentence as prose, and answers a name from 'called'", async () => {
    expect(await firstLine("What is the alias of openPipe?")).toBe("**`connectPipe`** [1]");
  });

  it("answers where a story was filed from its dateline, not from a line that says 'File'", async () => {
    expect(await firstLine("Where was the story filed from?")).toBe("**GENEVA** [1]");
  });

  it("answers 'what is the name of…' from where the documents say it is titled", async () => {
    expect(await firstLine("What is the name of the resolution?")).toBe(
      "**Promoting Mutually Beneficial Cooperation in the Field of Human Rights** [1]",
    );
  });

  it("answers a yes/no question about a default with the value, read with its section", async () => {
    expect(await firstLine("Does flow-kit open pipes automatically by default?")).toBe(
      "**`true`** [1]",
    );
  });

  it("refuses the default of a setting that has none, rather than another setting's", async () => {
    const answer = await answerQuestion(assistant, "What is the default timeout of a pipe?");
    expect(answer.answered, answer.answer).toBe(false);
  });

  it("answers 'which wireVersion…' with the code that sets it", async () => {
    expect(await firstLine("Which wireVersion selects wire drafts 4-6?")).toBe(
      "**`wireVersion: 4`** [1]",
    );
  });

  it("answers 'which option…' with the option's name, as its list item writes it", async () => {
    expect(
      await firstLine("Which option sets the character of the complete part of the gauge?"),
    ).toBe("**`fillChar`** [1]");
  });

  it("answers 'which event…' with the name its section documents, and what the section opens with", async () => {
    const answer = await answerQuestion(assistant, "Which event fires when the pipes drain?");
    expect(answer.answer.split("\n")[0]).toBe("**drain** [1]");
    expect(answer.answer).toContain("Emitted when every pipe has emptied its buffer.");
  });

  it("reads a parameter's default as JSDoc writes it, and only for that parameter", async () => {
    // "[`burst` = 2]" in the table of flowKit.setLimit(count).
    const burst = await answerQuestion(assistant, "What is the default burst of flowKit.setLimit?");
    expect(burst.answer.split("\n")[0]).toBe("**2** [1]");
    // The table is quoted by its rows: no rule ("| --- |"), no header of empty cells.
    expect(burst.answer).toContain("[`burst` = 2]");
    expect(burst.answer).not.toMatch(/\|\s*---|\|\s+\|\s+\|/);
    const other = await answerQuestion(assistant, "What is the default count of flowKit.setLimit?");
    expect(other.answer.split("\n")[0]).not.toContain("**2**");
  });

  it("reads the verb of 'what does X return…' before the phrase that follows it", async () => {
    // "…return FOR THE PIPES?" ends in a noun, but "return" is still the verb asked about.
    expect(await firstLine("What does close() return for the pipes?")).toBe("**a promise** [1]");
  });

  it("answers 'what does X return?' with what the text writes after its verb, quoting the section once", async () => {
    const answer = await answerQuestion(assistant, "What does close() return?");
    const lines = answer.answer.split("\n");
    expect(lines[0]).toBe("**a promise** [1]");
    expect(answer.answer).toContain(
      "Returns a promise that settles once the last pipe has closed.",
    );
    expect(new Set(lines).size).toBe(lines.length);
  });

  it("answers for the setting the question names as code, not one whose name holds its words", async () => {
    expect(await firstLine("What is the default of limits.delay?")).toBe("**`100`** [1]");
  });

  it("reads an abbreviation the README writes as the word the question says in full", async () => {
    // "chars" for "characters": the same word to the search and to the answerer.
    expect(await firstLine("How many characters wide is the gauge by default?")).toBe("**30** [1]");
  });

  it("answers what a code example sets a setting to, and what its comment says it defaults to", async () => {
    const answer = await answerQuestion(
      assistant,
      "What highWaterMark does the tuned pipes example give the buffer?",
    );
    const [first, quote] = answer.answer.split("\n");
    // The value is code: its asterisk is not emphasis.
    expect(first).toBe("**`16 * 1024`** [1]");
    expect(quote).toContain("highWaterMark: 16 * 1024");
    expect(await firstLine("What does highWaterMark default to?")).toBe(
      "**the stream's own mark** [1]",
    );
    // "What LOWWATERMARK…": the kind asked for is the setting's own name; "example" is framing.
    expect(await firstLine("What lowWaterMark does the example set?")).toBe("**`1024`** [1]");
    // Not the table's default of the same setting: the question asks what the example sets.
    expect(await firstLine("What retries does the tuned pipes example set?")).toBe("**`7`** [1]");
    expect(await firstLine("What retries does the example give a pipe that drops?")).toBe(
      "**`7`** [1]",
    );
    // The example sets lowWaterMark, but nothing says that is its default.
    expect(await firstLine("What is the default lowWaterMark?")).not.toContain("1024");
  });

  it("answers 'which option…' with the key of the example's setting whose comment says what it does", async () => {
    expect(
      await firstLine("Which option sets the milliseconds between two attempts to reconnect?"),
    ).toBe("**`backoff`** [1]");
  });

  it("answers what an example's option does from its comment, not with its value", async () => {
    const answer = await answerQuestion(assistant, "What does the backoff option do?");
    expect(answer.answer.split("\n")[0]).not.toContain("250**");
    expect(answer.answer).toContain("milliseconds between two attempts to reconnect");
  });

  it("answers 'how do I pause…?' from the method its verb names, and shows that method", async () => {
    expect(await firstLine("How do I pause every pipe?")).toBe(
      "flowKit.pause() — “Put every pipe on hold until resumed.” [1]",
    );
  });

  it("reads a comment of several lines as the sentence it is", async () => {
    const answer = await answerQuestion(assistant, "Which method waits for the buffer to drain?");
    expect(answer.answer).toContain(
      "“Use `pipe.drop()`, which closes the pipe at once, instead of `pipe.end()`, which waits for the buffer to drain.”",
    );
    // ...and names the code its clause says does what is asked.
    expect(answer.answer.split("\n")[0]).toBe("**`pipe.end()`** [1]");
  });

  it("answers a yes/no question by the text that says what its verb says, whatever it calls the object", async () => {
    const answer = await answerQuestion(assistant, "Does flow-kit depend on other libraries?");
    expect(answer.answer).toContain("Zero runtime dependencies.");
  });

  it("reads a sentence that points back ('In this case…') with the one before it", async () => {
    const answer = await answerQuestion(
      assistant,
      "What is flow-kit when it is loaded from a script tag?",
    );
    expect(answer.answer).toContain("In this case, `flowKit` is a global variable of the page.");
  });

  it("answers what a line of an example returns from the comment under it", async () => {
    expect(await firstLine("What does pipe.pending({priority: 2}) return?")).toBe("**`5`** [1]");
  });

  it("refuses a setting the example does not set, though the question names it as the kind asked for", async () => {
    // "What CONCURRENCY…": no document retrieved says concurrency, nor a word close to it.
    const answer = await answerQuestion(
      assistant,
      "What concurrency does the flow-kit example set?",
    );
    expect(answer.answered, answer.answer).toBe(false);
  });

  it("answers a table's default from its Default column", async () => {
    expect(await firstLine("What is the default value of keepAlive?")).toBe("**`false`** [1]");
    expect(await firstLine("How many times does a pipe reconnect by default?")).toBe("**`3`** [1]");
    // "list" is a word of its own, and a longer name (`itemPrefix`) may name a focus of words.
    expect(await firstLine("What is the default list item prefix?")).toBe("**`' * '`** [1]");
  });

  it("never quotes badge markup as a sentence", async () => {
    const answer = await answerQuestion(assistant, "What is flow-kit?");
    expect(answer.answer).not.toContain("img.shields.io");
    // Nor a quote's ">" mark: it is markup, not the document's words.
    expect(answer.answer).toContain("Streams for busy people.");
    expect(answer.answer).not.toContain("> Streams");
  });

  it("answers from the section whose heading asks the question, first", async () => {
    expect(await firstLine("How do I connect through a relay with flow-kit?")).toContain(
      "RelayAgent",
    );
  });

  it("reads a name written in parts ('FlowKit') as the name, not as the words 'flow' and 'kit'", async () => {
    expect(await firstLine("How does FlowKit tokenize documents by default?")).toContain(
      "splitting on commas",
    );
  });

  it("answers 'in which version' from the sentence before, in the same paragraph", async () => {
    expect(
      await firstLine("In which version was the command line tool moved to a separate package?"),
    ).toBe("**Version 3** [1]");
  });

  it("explains code with the sentence of its section that says what it does", async () => {
    const answer = await answerQuestion(assistant, "How can flow-kit detect a broken connection?");
    expect(answer.answer).toContain("heartbeat messages can be used");
  });

  it("takes a word written as two in the headings ('multipipe' for 'Multi Pipe')", async () => {
    const answer = await answerQuestion(
      assistant,
      "Which method adds a new pipe to a multipipe container?",
    );
    expect(answer.answered).toBe(true);
    expect(answer.answer).toContain("Adds a new pipe to the container");
  });

  it("reads a rare form of a word by its base form ('halts' as 'halt', close to 'stop')", async () => {
    expect(await firstLine("Which method halts every pipe?")).toBe("**flowKit.stop()** [1]");
  });

  it("answers 'which option…' with the key of the example's setting, when the question names it", async () => {
    expect(await firstLine("Which send option turns on compression?")).toBe("**`compress`** [1]");
  });

  it("answers 'which method…' with the method the text calls, not an option of the options table", async () => {
    // `pipe.drop` is made of the question's own words; the `retries` row also says "drops".
    expect(await firstLine("Which method drops a pipe at once?")).toBe("**pipe.drop()** [1]");
  });

  it("answers who holds a copyright from a line that has no verb for it ('is copyright © … Ada Lindqvist')", async () => {
    expect(await firstLine("Who holds the copyright of flow-kit?")).toBe("**Ada Lindqvist** [1]");
  });

  it("answers from the column of a table the question names ('which values are valid…' → Valid values)", async () => {
    expect(await firstLine("Which values are valid for lineEnding?")).toBe(
      "**`lf` or `crlf`** [1]",
    );
    expect(await firstLine("What is the default lineEnding?")).toBe("**`lf`** [1]");
  });

  it("never answers 'which method/function…' with a bold word that is not code", async () => {
    // The installation paragraph names no function: its words ("Node.js", "the one they") are
    // no answer to put first; the passage is quoted as it is.
    for (const question of [
      "Which method works in Node.js and in every browser?",
      "Which function do bundlers pick?",
    ]) {
      const answer = await answerQuestion(assistant, question);
      expect(answer.answer, question).not.toMatch(/^\*\*/);
    }
  });

  it("quotes a list item once, not again as part of its list", async () => {
    const answer = await answerQuestion(
      assistant,
      "What was flow-kit called before it was renamed?",
    );
    expect(answer.answer).toContain("`pipe-kit` has been renamed to flow-kit");
    expect(answer.answer.split("has been renamed to flow-kit").length - 1).toBe(1);
  });

  it("answers from a section whose whole text is one link, as a badge is not", async () => {
    // "## Support" then "[Discussions on GitHub](…)": the link's words are what the section says.
    const answer = await answerQuestion(assistant, "Where can I get support for flow-kit?");
    expect(answer.answered).toBe(true);
    expect(answer.answer).toContain("Discussions on GitHub");
  });

  it("answers 'which method…' with a name made of the question's own words, taken from code", async () => {
    expect(await firstLine("Which method opens a pipe in flow-kit?")).toBe("**openPipe** [1]");
  });

  it("never answers 'which function…' with an option documented under an options heading", async () => {
    // `### autoOpen` stands under "## Pipe options": "Whether pipes are opened…" is an option's.
    const answer = await answerQuestion(assistant, "Which flow-kit function opens a pipe?");
    expect(answer.answer.split("\n")[0]).not.toContain("autoOpen");
  });

  it("answers 'which method…' with the section that documents a method named by the question's words", async () => {
    // `flowKit.start()` also speaks of "the limit"; the section headed `flowKit.setLimit(count)` is
    // about it.
    expect(await firstLine("Which flow-kit method changes the limit?")).toBe(
      "**flowKit.setLimit(count)** [1]",
    );
  });

  it("answers 'which method…' from the sections that document methods, though prose says the question's verb", async () => {
    // "The plugin API lets developers APPLY…" has the question's own verb; `flowKit.use(plugin)`
    // is the method.
    expect(await firstLine("Which flow-kit method applies a plugin?")).toBe(
      "**flowKit.use(plugin)** [1]",
    );
  });
});
