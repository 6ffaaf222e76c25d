import { setTimeout as sleep } from "node:timers/promises";
import { type DispatchedInteraction, LoopbackDiscord } from "../tests/support/discord.js";
import { killGroup, run } from "../tests/support/run.js";
import { type Latency, latency } from "./stats.js";

export interface BurstResult {
  questions: number;
  seconds: number;
  /** From each interaction's dispatch to its final answer's arrival at the (loopback) Discord. */
  finalMs: Latency;
  /** From each dispatch to its acknowledgement (the answer itself, or a deferral). */
  ackMs: Latency;
  /** Answered in the interaction response itself, rather than deferred then edited. */
  inResponse: number;
  failed: number;
}

/** How long the bot may take to start (and load its index) before the burst is given up. */
const START_TIMEOUT_MS = 120_000;

/**
 * The bot as `npm start` runs it, logged in to a loopback Discord in this process, asked
 * `questions.length` questions spread evenly over `seconds`, each by another member: how long
 * each waits for its final answer.
 */
export async function burst(
  dataDir: string,
  questions: string[],
  seconds: number,
): Promise<BurstResult> {
  const discord = await LoopbackDiscord.start();
  const bot = run(["start"], {
    ...discord.env(),
    DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    ASK_COOLDOWN_COUNT: "1000",
  });
  try {
    await Promise.race([
      discord.connected(START_TIMEOUT_MS),
      bot.exited.then((code) => {
        throw new Error(`npm start exited with ${code}: ${bot.output().stderr}`);
      }),
    ]);
    // Once a question is answered in the response itself, the index is open.
    for (;;) {
      const warmUp = discord.command("ask", { question: questions[0] });
      await warmUp.message(0, START_TIMEOUT_MS);
      if (warmUp.acknowledgement?.type === 4) break;
    }
    const sent: DispatchedInteraction[] = [];
    const started = performance.now();
    for (const [i, question] of questions.entries()) {
      const due = started + (i * seconds * 1000) / questions.length;
      if (due > performance.now()) await sleep(due - performance.now());
      sent.push(discord.command("ask", { question }));
    }
    const finals = await Promise.all(
      sent.map((interaction) =>
        interaction
          .waitFor((i) => i.messages.find((m) => m.embeds.length > 0 && !m.ephemeral), 60_000)
          .then((message) => message.at - interaction.dispatchedAt)
          .catch(() => undefined),
      ),
    );
    const answered = finals.filter((ms): ms is number => ms !== undefined);
    return {
      questions: questions.length,
      seconds,
      finalMs: latency(answered),
      ackMs: latency(sent.map((i) => i.acknowledgement?.ms ?? Number.POSITIVE_INFINITY)),
      inResponse: sent.filter((i) => i.acknowledgement?.type === 4).length,
      failed: questions.length - answered.length,
    };
  } finally {
    killGroup(bot.child);
    await discord.close();
  }
}
