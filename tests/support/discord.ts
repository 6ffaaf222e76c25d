import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";

/**
 * A Discord-compatible server on loopback, for the real discord.js client to log in to through
 * DISCORD_API_URL: the REST routes the bot uses and a gateway that sends HELLO, READY,
 * GUILD_CREATE, acknowledges heartbeats and dispatches INTERACTION_CREATE. It enforces what
 * Discord enforces on those routes (authentication, the 3-second acknowledgement deadline, one
 * acknowledgement per interaction, message limits) and records every request.
 *
 * It has one server (guild) per shard it recommends in /gateway/bot (one by default), and sends
 * each server's events to the gateway session of the shard that owns it, as Discord does:
 * shard = (guild id >> 22) % shard count, direct messages to shard 0.
 */

const EPOCH = 1420070400000n;
let increment = 0n;
export function snowflake(): string {
  increment += 1n;
  return String(((BigInt(Date.now()) - EPOCH) << 22n) | (increment & 0xfffn));
}

/** The shard that receives a guild's events: (guild id >> 22) % shard count. */
export function shardOf(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** A new guild id that the given shard of shardCount owns. */
function guildSnowflake(shard: number, shardCount: number): string {
  const id = BigInt(snowflake());
  const count = BigInt(shardCount);
  const timestamp = id >> 22n;
  return String(((timestamp - (timestamp % count) + BigInt(shard)) << 22n) | (id & 0x3fffffn));
}

export const PERMISSIONS = {
  viewChannel: 1n << 10n,
  sendMessages: 1n << 11n,
  manageGuild: 1n << 5n,
  useApplicationCommands: 1n << 31n,
};
const MEMBER_PERMISSIONS =
  PERMISSIONS.viewChannel | PERMISSIONS.sendMessages | PERMISSIONS.useApplicationCommands;
const EPHEMERAL = 1 << 6;
const ACK_DEADLINE_MS = 3000;

export interface RecordedRequest {
  method: string;
  /** Path under /api/v10, decoded (`@original`, not `%40original`). */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  // biome-ignore lint/suspicious/noExplicitAny: a JSON body as the bot sent it
  body: any;
  status: number;
  at: number;
}

/** A message the bot sent for an interaction: the first reply, an edit of it, or a follow-up. */
export interface SentMessage {
  kind: "reply" | "edit" | "followup";
  content: string;
  // biome-ignore lint/suspicious/noExplicitAny: embeds as the bot sent them
  embeds: any[];
  ephemeral: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: the request body
  body: any;
  at: number;
}

export interface Acknowledgement {
  type: number;
  ephemeral: boolean;
  /** Milliseconds from the dispatch to the acknowledgement's arrival. */
  ms: number;
}

/** A file attached to a command's option, as Discord resolves it (served by the test's own server). */
export interface LoopbackAttachment {
  filename: string;
  /** The size Discord reports, in bytes. */
  size: number;
  url: string;
  contentType?: string;
}

export type OptionValue = string | boolean | LoopbackAttachment;

export interface Invoker {
  /** A user id; a new one by default. */
  userId?: string;
  /** The server the command is used in, one of `guilds`; the first by default. */
  guildId?: string;
  permissions?: bigint;
  roles?: string[];
  /** Sent from a direct message with the bot rather than from the server. */
  dm?: boolean;
}

/** One interaction the server dispatched, and what the bot answered to it. */
export class DispatchedInteraction {
  readonly id = snowflake();
  readonly token = `interaction-token-${snowflake()}`;
  readonly dispatchedAt = performance.now();
  readonly messages: SentMessage[] = [];
  readonly requests: RecordedRequest[] = [];
  acknowledgement: Acknowledgement | undefined;
  /** The suggestions the bot answered an autocomplete interaction with. */
  choices: { name: string; value: string }[] | undefined;
  deleted = false;
  private readonly events = new EventEmitter();

  constructor(
    readonly userId: string,
    readonly channelId: string,
    /** The shard whose gateway session it was dispatched to. */
    readonly shard: number,
  ) {}

  acknowledge(type: number, ephemeral: boolean): void {
    this.acknowledgement = { type, ephemeral, ms: performance.now() - this.dispatchedAt };
    this.events.emit("change");
  }

  send(message: SentMessage): void {
    this.messages.push(message);
    this.events.emit("change");
  }

  suggest(choices: { name: string; value: string }[]): void {
    this.choices = choices;
    this.acknowledge(8, false);
  }

  /** Resolves with an autocomplete interaction's suggestions, once the bot sent them. */
  suggestions(timeoutMs = 10_000): Promise<{ name: string; value: string }[]> {
    return this.until(() => this.choices, timeoutMs, "answered with suggestions");
  }

  /** Resolves when the interaction has been acknowledged (deferred or replied to). */
  acknowledged(timeoutMs = 10_000): Promise<Acknowledgement> {
    return this.until(() => this.acknowledgement, timeoutMs, "acknowledged");
  }

  /** The n-th message the bot sent for this interaction (the first by default), once sent. */
  message(n = 0, timeoutMs = 20_000): Promise<SentMessage> {
    return this.until(() => this.messages[n], timeoutMs, `message #${n + 1}`);
  }

  /** Resolves with what found() returns, once it returns something. */
  waitFor<T>(found: (interaction: this) => T | undefined, timeoutMs = 20_000): Promise<T> {
    return this.until(() => found(this), timeoutMs, "in the expected state");
  }

  private until<T>(found: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = found();
        if (value === undefined) return;
        clearTimeout(timer);
        this.events.off("change", check);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.events.off("change", check);
        const seen = this.requests.map((r) => `${r.method} ${r.path} -> ${r.status}`).join("; ");
        reject(
          new Error(`interaction not ${what} in ${timeoutMs} ms (requests: ${seen || "none"})`),
        );
      }, timeoutMs);
      this.events.on("change", check);
      check();
    });
  }
}

export interface LoopbackGuild {
  id: string;
  channelId: string;
  moderatorRoleId: string;
}

interface Identify {
  token: string;
  intents: number;
  shard?: [number, number];
}

interface Session {
  socket: WebSocket;
  sequence: number;
  shard: number;
  shardCount: number;
}

export class LoopbackDiscord {
  readonly token = "loopback-bot-token.Xyz123";
  readonly applicationId = snowflake();
  /** The servers the bot is in: the n-th belongs to shard n modulo the shard count. */
  readonly guilds: LoopbackGuild[];
  readonly requests: RecordedRequest[] = [];
  /** Registered commands, by `global` or guild id. */
  readonly registered = new Map<string, unknown[]>();
  /** Close codes of gateway connections the client closed. */
  readonly gatewayCloses: number[] = [];
  readonly identifies: Identify[] = [];
  private readonly interactions = new Map<string, DispatchedInteraction>();
  private readonly sockets = new Set<WebSocket>();
  private readonly sessions = new Set<Session>();
  private readonly events = new EventEmitter();
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly server: Server;
  private messageIds = new Map<string, string>();

  private constructor(
    readonly shardCount: number,
    guildCount: number,
  ) {
    this.guilds = Array.from({ length: guildCount }, (_, n) => ({
      id: guildSnowflake(n % shardCount, shardCount),
      channelId: snowflake(),
      moderatorRoleId: snowflake(),
    }));
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
    });
    this.server.on("upgrade", (req, socket, head) => {
      if (!req.url?.startsWith("/gateway")) return socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => this.connect(ws, req));
    });
  }

  /**
   * `shards`: how many shards /gateway/bot recommends; `guilds`: how many servers the bot is in
   * (one per shard by default), the n-th served by shard n modulo the shards.
   */
  static async start({
    shards = 1,
    guilds = shards,
  }: {
    shards?: number;
    guilds?: number;
  } = {}): Promise<LoopbackDiscord> {
    const discord = new LoopbackDiscord(shards, guilds);
    await new Promise<void>((resolve) => discord.server.listen(0, "127.0.0.1", resolve));
    return discord;
  }

  /** The first server, its channel and its moderator role. */
  get guildId(): string {
    return this.guilds[0].id;
  }

  get channelId(): string {
    return this.guilds[0].channelId;
  }

  get moderatorRoleId(): string {
    return this.guilds[0].moderatorRoleId;
  }

  private get origin(): string {
    const { port } = this.server.address() as AddressInfo;
    return `127.0.0.1:${port}`;
  }

  /** What DISCORD_API_URL is set to. */
  get apiUrl(): string {
    return `http://${this.origin}/api`;
  }

  get botUser() {
    return {
      id: this.applicationId,
      username: "Docs QA",
      discriminator: "0000",
      global_name: null,
      avatar: null,
      bot: true,
    };
  }

  /** The environment for a bot (or deploy-commands) pointed at this server. */
  env(): Record<string, string> {
    return {
      DISCORD_TOKEN: this.token,
      DISCORD_CLIENT_ID: this.applicationId,
      DISCORD_API_URL: this.apiUrl,
    };
  }

  /** Resolves once every server's shard has identified and been sent READY and GUILD_CREATE. */
  connected(timeoutMs = 20_000): Promise<void> {
    const ready = () => this.guilds.every((guild) => this.sessionFor(guild.id));
    if (ready()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.events.off("session", check);
        reject(new Error("no client connected for every server"));
      }, timeoutMs);
      const check = () => {
        if (!ready()) return;
        clearTimeout(timer);
        this.events.off("session", check);
        resolve();
      };
      this.events.on("session", check);
    });
  }

  /** The gateway session that receives a server's events (direct messages: shard 0's). */
  private sessionFor(guildId: string | undefined): Session | undefined {
    for (const session of this.sessions) {
      const shard = guildId ? shardOf(guildId, session.shardCount) : 0;
      if (session.shard === shard) return session;
    }
    return undefined;
  }

  /**
   * Dispatches a slash command as a member of the server (or in a DM) would send it. A subcommand
   * follows the command's name ("document add"); an attachment is an option's value.
   */
  command(
    name: string,
    options: Record<string, OptionValue> = {},
    invoker: Invoker = {},
  ): DispatchedInteraction {
    return this.interact(2, name, options, invoker);
  }

  /** Dispatches the autocomplete interaction of a member typing `focused` into an option. */
  autocomplete(
    name: string,
    options: Record<string, OptionValue>,
    focused: string,
    invoker: Invoker = {},
  ): DispatchedInteraction {
    return this.interact(4, name, options, invoker, focused);
  }

  private interact(
    type: 2 | 4,
    fullName: string,
    options: Record<string, OptionValue>,
    invoker: Invoker,
    focused?: string,
  ): DispatchedInteraction {
    const guild = this.guilds.find((g) => g.id === (invoker.guildId ?? this.guildId));
    if (!guild) throw new Error(`the bot is not in server ${invoker.guildId}`);
    const session = this.sessionFor(invoker.dm ? undefined : guild.id);
    if (!session) throw new Error("no client is connected to the gateway for that server");
    const userId = invoker.userId ?? snowflake();
    const channelId = invoker.dm ? snowflake() : guild.channelId;
    const interaction = new DispatchedInteraction(userId, channelId, session.shard);
    this.interactions.set(interaction.token, interaction);
    const user = {
      id: userId,
      username: `member-${userId.slice(-4)}`,
      discriminator: "0",
      global_name: null,
      avatar: null,
    };
    const where = invoker.dm
      ? { user, channel: { id: channelId, type: 1, recipients: [user] }, context: 1 }
      : {
          guild_id: guild.id,
          guild_locale: "en-US",
          channel: { id: channelId, type: 0, guild_id: guild.id, name: "general" },
          member: {
            user,
            roles: invoker.roles ?? [],
            permissions: String(invoker.permissions ?? MEMBER_PERMISSIONS),
            joined_at: new Date().toISOString(),
            nick: null,
            avatar: null,
            premium_since: null,
            deaf: false,
            mute: false,
            flags: 0,
            pending: false,
            communication_disabled_until: null,
          },
          context: 0,
        };
    const attachments: Record<string, object> = {};
    const given = Object.entries(options).map(([option, value]) => {
      if (typeof value === "object") {
        const id = snowflake();
        attachments[id] = {
          id,
          filename: value.filename,
          size: value.size,
          url: value.url,
          proxy_url: value.url,
          ...(value.contentType ? { content_type: value.contentType } : {}),
        };
        return { name: option, type: 11, value: id };
      }
      return {
        name: option,
        type: typeof value === "boolean" ? 5 : 3,
        value,
        ...(option === focused ? { focused: true } : {}),
      };
    });
    const [name, subcommand] = fullName.split(" ");
    this.dispatch(session, "INTERACTION_CREATE", {
      id: interaction.id,
      application_id: this.applicationId,
      type,
      token: interaction.token,
      version: 1,
      data: {
        id: snowflake(),
        name,
        type: 1,
        options: subcommand ? [{ name: subcommand, type: 1, options: given }] : given,
        ...(Object.keys(attachments).length ? { resolved: { attachments } } : {}),
      },
      ...where,
      channel_id: where.channel.id,
      app_permissions: String(MEMBER_PERMISSIONS),
      locale: "en-US",
      entitlements: [],
      authorizing_integration_owners: {},
      attachment_size_limit: 8 * 1024 * 1024,
    });
    return interaction;
  }

  /** Every request body that carries a message (a reply, an edit or a follow-up). */
  messageBodies(): unknown[] {
    return this.requests.flatMap((request) => {
      if (request.path.endsWith("/callback"))
        return request.body?.data && request.body.type === 4 ? [request.body.data] : [];
      if (request.path.startsWith("/webhooks/") && request.method !== "DELETE")
        return [request.body];
      return [];
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  // --- gateway ---------------------------------------------------------------------------

  private connect(socket: WebSocket, req: IncomingMessage): void {
    const query = new URL(req.url ?? "/", "http://localhost").searchParams;
    if (query.get("v") !== "10" || query.get("encoding") !== "json") {
      socket.close(4012, "Invalid API version");
      return;
    }
    this.sockets.add(socket);
    const send = (payload: object) => socket.send(JSON.stringify(payload));
    socket.on("close", (code) => {
      this.sockets.delete(socket);
      this.gatewayCloses.push(code);
      for (const session of this.sessions) {
        if (session.socket === socket) this.sessions.delete(session);
      }
    });
    socket.on("message", (raw) => {
      const payload = JSON.parse(String(raw));
      switch (payload.op) {
        case 1:
          send({ op: 11, d: null, s: null, t: null });
          break;
        case 2:
          this.identify(socket, payload.d);
          break;
        case 6:
          send({ op: 9, d: false, s: null, t: null });
          break;
      }
    });
    send({ op: 10, d: { heartbeat_interval: 41_250 }, s: null, t: null });
  }

  private identify(socket: WebSocket, identify: Identify): void {
    this.identifies.push(identify);
    if (identify.token !== this.token && identify.token !== `Bot ${this.token}`) {
      socket.close(4004, "Authentication failed.");
      return;
    }
    const [shard, shardCount] = identify.shard ?? [0, 1];
    if (!(shardCount >= 1 && shard >= 0 && shard < shardCount)) {
      socket.close(4010, "Invalid shard.");
      return;
    }
    const session = { socket, sequence: 0, shard, shardCount };
    const guilds = this.guilds.filter((guild) => shardOf(guild.id, shardCount) === shard);
    this.sessions.add(session);
    this.dispatch(session, "READY", {
      v: 10,
      user: this.botUser,
      guilds: guilds.map((guild) => ({ id: guild.id, unavailable: true })),
      session_id: `session-${snowflake()}`,
      resume_gateway_url: `ws://${this.origin}/gateway`,
      application: { id: this.applicationId, flags: 0 },
      shard: [shard, shardCount],
    });
    for (const guild of guilds) this.dispatch(session, "GUILD_CREATE", guildCreate(guild));
    this.events.emit("session");
  }

  private dispatch(session: Session, event: string, data: object): void {
    session.sequence += 1;
    session.socket.send(JSON.stringify({ op: 0, t: event, s: session.sequence, d: data }));
  }

  // --- REST ------------------------------------------------------------------------------

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const raw = await readBody(req);
    const request: RecordedRequest = {
      method: req.method ?? "GET",
      path: decodeURIComponent(url.pathname).replace(/^\/api\/v10/, ""),
      query: url.searchParams,
      headers: req.headers,
      body: raw ? JSON.parse(raw) : undefined,
      status: 0,
      at: performance.now(),
    };
    this.requests.push(request);
    const reply = (status: number, body?: object) => {
      request.status = status;
      if (body === undefined) res.writeHead(status).end();
      else res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    if (!url.pathname.startsWith("/api/v10/"))
      return reply(404, { message: "404: Not Found", code: 0 });
    const authorized = req.headers.authorization === `Bot ${this.token}`;
    const unauthorized = () => reply(401, { message: "401: Unauthorized", code: 0 });
    const parts = request.path.split("/").filter(Boolean);
    const { method } = request;

    if (method === "GET" && request.path === "/gateway/bot") {
      if (!authorized) return unauthorized();
      return reply(200, {
        url: `ws://${this.origin}/gateway`,
        shards: this.shardCount,
        session_start_limit: {
          total: 1000,
          remaining: 999,
          reset_after: 14_400_000,
          max_concurrency: 1,
        },
      });
    }

    if (method === "PUT" && parts[0] === "applications" && parts.at(-1) === "commands") {
      if (!authorized) return unauthorized();
      const guild = parts[2] === "guilds" ? parts[3] : undefined;
      if (parts[1] !== this.applicationId || (guild && !this.guilds.some((g) => g.id === guild))) {
        return reply(403, { message: "Missing Access", code: 50001 });
      }
      const commands = (request.body as { name: string }[]).map((command) => ({
        ...command,
        id: snowflake(),
        application_id: this.applicationId,
        version: snowflake(),
        ...(guild ? { guild_id: guild } : {}),
      }));
      this.registered.set(guild ?? "global", commands);
      return reply(200, commands);
    }

    if (parts[0] === "interactions" && parts[3] === "callback" && method === "POST") {
      const interaction = this.interactions.get(parts[2]);
      if (!interaction || interaction.id !== parts[1])
        return reply(404, { message: "Unknown interaction", code: 10062 });
      interaction.requests.push(request);
      if (performance.now() - interaction.dispatchedAt > ACK_DEADLINE_MS) {
        return reply(404, { message: "Unknown interaction", code: 10062 });
      }
      if (interaction.acknowledgement) {
        return reply(400, { message: "Interaction has already been acknowledged.", code: 40060 });
      }
      const { type, data = {} } = request.body;
      const ephemeral = Boolean((data.flags ?? 0) & EPHEMERAL);
      if (type === 4) {
        const problems = messageProblems(data);
        if (problems)
          return reply(400, { message: "Invalid Form Body", code: 50035, errors: problems });
        interaction.acknowledge(type, ephemeral);
        interaction.send(sent("reply", data, ephemeral, request.at));
      } else if (type === 5) {
        interaction.acknowledge(type, ephemeral);
      } else if (type === 8) {
        interaction.suggest(data.choices ?? []);
      } else {
        return reply(400, {
          message: `Interaction callback type ${type} is not supported here`,
          code: 50035,
        });
      }
      return reply(204);
    }

    if (parts[0] === "webhooks") {
      const interaction = this.interactions.get(parts[2]);
      if (parts[1] !== this.applicationId || !interaction)
        return reply(404, { message: "Unknown Webhook", code: 10015 });
      interaction.requests.push(request);
      if (!interaction.acknowledgement)
        return reply(404, { message: "Unknown Webhook", code: 10015 });
      const original = parts[3] === "messages" && parts[4] === "@original";
      if (original && method === "DELETE") {
        interaction.deleted = true;
        return reply(204);
      }
      if ((original && method === "PATCH") || (parts.length === 3 && method === "POST")) {
        const problems = messageProblems(request.body, method === "POST");
        if (problems)
          return reply(400, { message: "Invalid Form Body", code: 50035, errors: problems });
        const followup = method === "POST";
        const ephemeral = followup
          ? Boolean((request.body.flags ?? 0) & EPHEMERAL)
          : interaction.acknowledgement.ephemeral;
        interaction.send(sent(followup ? "followup" : "edit", request.body, ephemeral, request.at));
        const key = `${interaction.token}:${followup ? snowflake() : "original"}`;
        if (!this.messageIds.has(key)) this.messageIds.set(key, snowflake());
        return reply(
          200,
          this.message(interaction, this.messageIds.get(key) as string, request.body, ephemeral),
        );
      }
    }

    return reply(404, { message: "404: Not Found", code: 0 });
  }

  private message(
    interaction: DispatchedInteraction,
    id: string,
    body: { content?: string; embeds?: unknown[] },
    ephemeral: boolean,
  ) {
    return {
      id,
      channel_id: interaction.channelId,
      type: 20,
      author: this.botUser,
      content: body.content ?? "",
      embeds: body.embeds ?? [],
      attachments: [],
      components: [],
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      flags: ephemeral ? EPHEMERAL : 0,
      application_id: this.applicationId,
      webhook_id: this.applicationId,
    };
  }
}

/** A server as GUILD_CREATE describes it: @everyone, a moderator role, one text channel. */
function guildCreate(guild: LoopbackGuild) {
  return {
    id: guild.id,
    name: "Loopback server",
    icon: null,
    owner_id: snowflake(),
    unavailable: false,
    large: false,
    member_count: 3,
    joined_at: new Date().toISOString(),
    roles: [
      {
        id: guild.id,
        name: "@everyone",
        permissions: String(MEMBER_PERMISSIONS),
        position: 0,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        flags: 0,
      },
      {
        id: guild.moderatorRoleId,
        name: "Moderators",
        permissions: String(MEMBER_PERMISSIONS),
        position: 1,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        flags: 0,
      },
    ],
    channels: [
      { id: guild.channelId, type: 0, name: "general", position: 0, permission_overwrites: [] },
    ],
    members: [],
    emojis: [],
    stickers: [],
    features: [],
    threads: [],
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

function sent(
  kind: SentMessage["kind"],
  body: SentMessage["body"],
  ephemeral: boolean,
  at: number,
): SentMessage {
  return { kind, content: body.content ?? "", embeds: body.embeds ?? [], ephemeral, body, at };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** What Discord would reject in a message body (error code 50035), or undefined when it fits. */
export function messageProblems(
  // biome-ignore lint/suspicious/noExplicitAny: a JSON body as the bot sent it
  body: any,
  mustHaveContent = false,
): Record<string, string> | undefined {
  const problems: Record<string, string> = {};
  const tooLong = (key: string, value: unknown, max: number) => {
    if (typeof value === "string" && value.length > max)
      problems[key] = `Must be ${max} or fewer in length.`;
  };
  tooLong("content", body.content, 2000);
  const embeds: Record<string, unknown>[] = body.embeds ?? [];
  if (embeds.length > 10) problems.embeds = "Must be 10 or fewer in length.";
  let total = 0;
  embeds.forEach((embed, i) => {
    const fields = (embed.fields ?? []) as { name: string; value: string }[];
    const footer = embed.footer as { text: string } | undefined;
    const author = embed.author as { name: string } | undefined;
    tooLong(`embeds.${i}.title`, embed.title, 256);
    tooLong(`embeds.${i}.description`, embed.description, 4096);
    tooLong(`embeds.${i}.footer.text`, footer?.text, 2048);
    tooLong(`embeds.${i}.author.name`, author?.name, 256);
    if (fields.length > 25) problems[`embeds.${i}.fields`] = "Must be 25 or fewer in length.";
    fields.forEach((field, f) => {
      tooLong(`embeds.${i}.fields.${f}.name`, field.name, 256);
      tooLong(`embeds.${i}.fields.${f}.value`, field.value, 1024);
      if (!field.name || !field.value)
        problems[`embeds.${i}.fields.${f}`] = "This field is required";
    });
    total +=
      String(embed.title ?? "").length +
      String(embed.description ?? "").length +
      (footer?.text.length ?? 0) +
      (author?.name.length ?? 0) +
      fields.reduce((sum, field) => sum + field.name.length + field.value.length, 0);
  });
  if (total > 6000) problems.embeds = "Embed size exceeds maximum size of 6000";
  if (mustHaveContent && !body.content && embeds.length === 0)
    problems.content = "Cannot send an empty message";
  return Object.keys(problems).length ? problems : undefined;
}
