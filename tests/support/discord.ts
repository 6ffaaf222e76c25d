import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";

/**
 * A Discord-compatible server on loopback, for the real discord.js client to log in to through
 * DISCORD_API_URL: the REST routes the bot uses and a gateway that sends HELLO, READY,
 * GUILD_CREATE, acknowledges heartbeats and dispatches INTERACTION_CREATE: slash commands,
 * button clicks on the bot's messages and submitted modals. Threads started from a message, and
 * the messages the bot sends in them, are kept as Discord keeps them. It enforces what
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
/** Message flag: a thread was started from this message. */
const HAS_THREAD = 1 << 5;
const INTERACTION_TYPES = { command: 2, component: 3, autocomplete: 4, modalSubmit: 5 } as const;
const ACK_DEADLINE_MS = 3000;

export interface RecordedRequest {
  method: string;
  /** Path under /api/v10, decoded (`@original`, not `%40original`). */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  // biome-ignore lint/suspicious/noExplicitAny: a JSON body as the bot sent it
  body: any;
  /** Files attached to a multipart request, in order. */
  files: AttachedFile[];
  status: number;
  at: number;
}

export interface AttachedFile {
  /** The form field's name: files[0], files[1]… */
  field: string;
  name: string;
  contentType: string;
  data: Buffer;
}

/** A message the bot sent for an interaction: the first reply, an edit of it, or a follow-up. */
export interface SentMessage {
  kind: "reply" | "edit" | "followup" | "channel";
  /** The message's id, once Discord gave it one (a deferral's "thinking…" has none yet). */
  id?: string;
  content: string;
  // biome-ignore lint/suspicious/noExplicitAny: embeds as the bot sent them
  embeds: any[];
  ephemeral: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: the request body
  body: any;
  /** Files attached to the message (multipart requests). */
  files: AttachedFile[];
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

export type OptionValue = string | boolean | number | LoopbackAttachment;

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

/** A message the bot posted, as Discord keeps it: where it is and what it now says. */
interface StoredMessage {
  id: string;
  channelId: string;
  guildId?: string;
  // biome-ignore lint/suspicious/noExplicitAny: the message body as the bot last sent it
  body: any;
  ephemeral: boolean;
  /** 20 for an interaction's response, 0 for a message posted in a channel. */
  type: number;
}

/** A thread started from one of the bot's messages: it has that message's id, as on Discord. */
export interface LoopbackThread {
  id: string;
  guildId: string;
  parentId: string;
  name: string;
  autoArchiveDuration: number;
  /** The messages the bot posted in it. */
  messages: SentMessage[];
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
  /** The modal the bot opened in answer (callback type 9). */
  // biome-ignore lint/suspicious/noExplicitAny: the modal as the bot sent it
  modal: any;
  deleted = false;
  private readonly events = new EventEmitter();

  constructor(
    readonly userId: string,
    readonly channelId: string,
    /** The shard whose gateway session it was dispatched to. */
    readonly shard: number,
    /** 2: a slash command, 3: a button click, 5: a modal submitted. */
    readonly type: number = INTERACTION_TYPES.command,
    /** Who sent it, to send the modal it opens as the same member. */
    readonly invoker: Invoker = {},
    /** The bot's message whose button was clicked. */
    readonly messageId?: string,
  ) {}

  /** Resolves with the modal the bot opened, once it has. */
  modalOpened(timeoutMs = 10_000) {
    return this.until(() => this.modal, timeoutMs, "answered with a modal");
  }

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
  /** Whether the bot may start threads and post in them here (Create Public Threads). */
  threads: boolean;
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
  private readonly stored = new Map<string, StoredMessage>();
  /** Threads started from the bot's messages, by id (the starting message's id). */
  readonly threads = new Map<string, LoopbackThread>();

  private constructor(
    readonly shardCount: number,
    guildCount: number,
  ) {
    this.guilds = Array.from({ length: guildCount }, (_, n) => ({
      id: guildSnowflake(n % shardCount, shardCount),
      channelId: snowflake(),
      moderatorRoleId: snowflake(),
      threads: true,
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
    return this.interact(INTERACTION_TYPES.command, invoker, undefined, commandData(name, options));
  }

  /** Dispatches the autocomplete interaction of a member typing `focused` into an option. */
  autocomplete(
    name: string,
    options: Record<string, OptionValue>,
    focused: string,
    invoker: Invoker = {},
  ): DispatchedInteraction {
    return this.interact(
      INTERACTION_TYPES.autocomplete,
      invoker,
      undefined,
      commandData(name, options, focused),
    );
  }

  /**
   * Clicks a button of one of the bot's messages, as a member sees it there; the custom id is the
   * button's, or any other the member's client could send.
   */
  click(messageId: string, customId: string, invoker: Invoker = {}): DispatchedInteraction {
    const message = this.stored.get(messageId);
    if (!message) throw new Error(`the bot sent no message ${messageId}`);
    return this.interact(INTERACTION_TYPES.component, invoker, message, {
      data: { custom_id: customId, component_type: 2 },
    });
  }

  /** Sends the modal a click opened, filled in with `values` by text input custom id. */
  submitModal(
    opened: DispatchedInteraction,
    values: Record<string, string>,
  ): DispatchedInteraction {
    const modal = opened.modal;
    if (!modal) throw new Error("the bot opened no modal for that interaction");
    const message = opened.messageId ? this.stored.get(opened.messageId) : undefined;
    // biome-ignore lint/suspicious/noExplicitAny: the modal's components as the bot sent them
    const filled = (component: any): any => {
      if (component.type === 4) {
        return {
          type: 4,
          id: component.id,
          custom_id: component.custom_id,
          value: values[component.custom_id] ?? "",
        };
      }
      if (component.type === 18)
        return { type: 18, id: component.id, component: filled(component.component) };
      if (component.type === 1)
        return { type: 1, id: component.id, components: component.components.map(filled) };
      return { type: component.type, id: component.id };
    };
    return this.interact(INTERACTION_TYPES.modalSubmit, opened.invoker, message, {
      data: { custom_id: modal.custom_id, components: modal.components.map(filled) },
    });
  }

  /** Dispatches an interaction of the given type from a member (or a DM), about a message or not. */
  private interact(
    type: number,
    invoker: Invoker,
    message: StoredMessage | undefined,
    fields: { data: object },
  ): DispatchedInteraction {
    const dm = invoker.dm ?? (message ? !message.guildId : false);
    const guild = this.guilds.find(
      (g) => g.id === (invoker.guildId ?? message?.guildId ?? this.guildId),
    );
    if (!guild) throw new Error(`the bot is not in server ${invoker.guildId}`);
    const session = this.sessionFor(dm ? undefined : guild.id);
    if (!session) throw new Error("no client is connected to the gateway for that server");
    const userId = invoker.userId ?? snowflake();
    const thread = message && this.threads.get(message.channelId);
    const channelId = message?.channelId ?? (dm ? snowflake() : guild.channelId);
    const interaction = new DispatchedInteraction(
      userId,
      channelId,
      session.shard,
      type,
      { ...invoker, userId, dm, guildId: guild.id },
      message?.id,
    );
    this.interactions.set(interaction.token, interaction);
    const user = {
      id: userId,
      username: `member-${userId.slice(-4)}`,
      discriminator: "0",
      global_name: null,
      avatar: null,
    };
    const channel = dm
      ? { id: channelId, type: 1, recipients: [user] }
      : thread
        ? this.threadObject(thread)
        : { id: channelId, type: 0, guild_id: guild.id, name: "general" };
    const where = dm
      ? { user, channel, context: 1 }
      : {
          guild_id: guild.id,
          guild_locale: "en-US",
          channel,
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
    this.dispatch(session, "INTERACTION_CREATE", {
      id: interaction.id,
      application_id: this.applicationId,
      type,
      token: interaction.token,
      version: 1,
      ...fields,
      ...(message ? { message: this.messageObject(message) } : {}),
      ...where,
      channel_id: channelId,
      app_permissions: String(MEMBER_PERMISSIONS),
      locale: "en-US",
      entitlements: [],
      authorizing_integration_owners: {},
      attachment_size_limit: 8 * 1024 * 1024,
    });
    return interaction;
  }

  /** Resolves with the n-th message the bot posted in a thread, once it has. */
  threadMessage(threadId: string, n = 0, timeoutMs = 20_000): Promise<SentMessage> {
    const found = () => this.threads.get(threadId)?.messages[n];
    const message = found();
    if (message) return Promise.resolve(message);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.events.off("thread-message", check);
        reject(new Error(`no message #${n + 1} in thread ${threadId} in ${timeoutMs} ms`));
      }, timeoutMs);
      const check = () => {
        const value = found();
        if (!value) return;
        clearTimeout(timer);
        this.events.off("thread-message", check);
        resolve(value);
      };
      this.events.on("thread-message", check);
    });
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
    for (const guild of guilds) {
      // As on Discord, a server's active threads come with it.
      const threads = [...this.threads.values()]
        .filter((thread) => thread.guildId === guild.id)
        .map((thread) => this.threadObject(thread));
      this.dispatch(session, "GUILD_CREATE", { ...guildCreate(guild), threads });
    }
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
    const { body, files } = await parseBody(raw, req.headers["content-type"]);
    const request: RecordedRequest = {
      method: req.method ?? "GET",
      path: decodeURIComponent(url.pathname).replace(/^\/api\/v10/, ""),
      query: url.searchParams,
      headers: req.headers,
      body,
      files,
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
        const id = this.keep(interaction, "original", data, ephemeral);
        interaction.send({ ...sent("reply", data, ephemeral, request.at), id });
      } else if (type === 5) {
        interaction.acknowledge(type, ephemeral);
      } else if (type === 8) {
        interaction.suggest(data.choices ?? []);
      } else if (type === 9 && interaction.type !== INTERACTION_TYPES.modalSubmit) {
        const problems = modalProblems(data);
        if (problems)
          return reply(400, { message: "Invalid Form Body", code: 50035, errors: problems });
        interaction.modal = data;
        interaction.acknowledge(type, false);
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
        const id = this.keep(
          interaction,
          followup ? snowflake() : "original",
          request.body,
          ephemeral,
        );
        interaction.send({
          ...sent(
            followup ? "followup" : "edit",
            request.body,
            ephemeral,
            request.at,
            request.files,
          ),
          id,
        });
        return reply(200, this.messageObject(this.stored.get(id) as StoredMessage));
      }
    }

    if (parts[0] === "channels") {
      if (!authorized) return unauthorized();
      this.routeChannel(request, parts.slice(1), reply);
      return;
    }

    return reply(404, { message: "404: Not Found", code: 0 });
  }

  /** Keeps (or updates) a message of an interaction's; returns its id. */
  private keep(
    interaction: DispatchedInteraction,
    which: string,
    body: object,
    ephemeral: boolean,
  ): string {
    const key = `${interaction.token}:${which}`;
    if (!this.messageIds.has(key)) this.messageIds.set(key, snowflake());
    const id = this.messageIds.get(key) as string;
    const earlier = this.stored.get(id);
    const guildId = interaction.invoker.dm ? undefined : interaction.invoker.guildId;
    this.stored.set(id, {
      id,
      channelId: interaction.channelId,
      guildId,
      body: { ...earlier?.body, ...body },
      ephemeral,
      type: 20,
    });
    return id;
  }

  // biome-ignore lint/suspicious/noExplicitAny: a message as Discord's API returns it
  private messageObject(message: StoredMessage): any {
    const thread = this.threads.get(message.id);
    return {
      id: message.id,
      channel_id: message.channelId,
      ...(message.guildId ? { guild_id: message.guildId } : {}),
      type: message.type,
      author: this.botUser,
      content: message.body.content ?? "",
      embeds: message.body.embeds ?? [],
      components: message.body.components ?? [],
      attachments: [],
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      flags: (message.ephemeral ? EPHEMERAL : 0) | (thread ? HAS_THREAD : 0),
      application_id: this.applicationId,
      ...(message.type === 20 ? { webhook_id: this.applicationId } : {}),
      ...(thread ? { thread: this.threadObject(thread) } : {}),
    };
  }

  private threadObject(thread: LoopbackThread) {
    return {
      id: thread.id,
      type: 11,
      guild_id: thread.guildId,
      parent_id: thread.parentId,
      owner_id: this.applicationId,
      name: thread.name,
      last_message_id: thread.messages.at(-1)?.id ?? null,
      message_count: thread.messages.length,
      total_message_sent: thread.messages.length,
      member_count: 1,
      rate_limit_per_user: 0,
      flags: 0,
      thread_metadata: {
        archived: false,
        auto_archive_duration: thread.autoArchiveDuration,
        archive_timestamp: new Date().toISOString(),
        locked: false,
        create_timestamp: new Date().toISOString(),
      },
    };
  }

  /** /channels/{id}/…: a thread started from a message, a thread fetched, a message posted. */
  private routeChannel(
    request: RecordedRequest,
    [channelId, ...rest]: string[],
    reply: (status: number, body?: object) => void,
  ): unknown {
    const guild = this.guilds.find(
      (g) => g.channelId === channelId || this.threads.get(channelId)?.guildId === g.id,
    );
    const missingPermissions = () => reply(403, { message: "Missing Permissions", code: 50013 });
    if (!guild) return reply(404, { message: "Unknown Channel", code: 10003 });
    const thread = this.threads.get(channelId);
    if (request.method === "POST" && rest[0] === "messages" && rest[2] === "threads") {
      const message = this.stored.get(rest[1]);
      if (!message || message.channelId !== channelId || message.ephemeral)
        return reply(404, { message: "Unknown Message", code: 10008 });
      if (!guild.threads) return missingPermissions();
      if (this.threads.has(message.id)) {
        return reply(400, {
          message: "A thread has already been created for this message",
          code: 160004,
        });
      }
      const name = String(request.body?.name ?? "");
      if (name.length < 1 || name.length > 100) {
        return reply(400, {
          message: "Invalid Form Body",
          code: 50035,
          errors: { name: "Must be between 1 and 100 in length." },
        });
      }
      const created: LoopbackThread = {
        id: message.id,
        guildId: guild.id,
        parentId: channelId,
        name,
        autoArchiveDuration: request.body.auto_archive_duration ?? 4320,
        messages: [],
      };
      this.threads.set(created.id, created);
      return reply(201, this.threadObject(created));
    }
    if (request.method === "GET" && rest.length === 0) {
      if (thread) return reply(200, this.threadObject(thread));
      return reply(200, { id: channelId, type: 0, guild_id: guild.id, name: "general" });
    }
    if (request.method === "POST" && rest.length === 1 && rest[0] === "messages") {
      if (!thread) return missingPermissions();
      if (!guild.threads) return missingPermissions();
      const problems = messageProblems(request.body, true);
      if (problems)
        return reply(400, { message: "Invalid Form Body", code: 50035, errors: problems });
      const id = snowflake();
      const message: StoredMessage = {
        id,
        channelId,
        guildId: guild.id,
        body: request.body,
        ephemeral: false,
        type: 0,
      };
      this.stored.set(id, message);
      thread.messages.push({ ...sent("channel", request.body, false, request.at), id });
      this.events.emit("thread-message");
      return reply(200, this.messageObject(message));
    }
    reply(404, { message: "404: Not Found", code: 0 });
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
  files: AttachedFile[] = [],
): SentMessage {
  return {
    kind,
    content: body.content ?? "",
    embeds: body.embeds ?? [],
    ephemeral,
    body,
    files,
    at,
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * A request's JSON body, or, for a message with attachments (multipart/form-data), its
 * payload_json and its files, as Discord reads them.
 */
async function parseBody(
  raw: Buffer,
  contentType: string | undefined,
  // biome-ignore lint/suspicious/noExplicitAny: a JSON body as the bot sent it
): Promise<{ body: any; files: AttachedFile[] }> {
  if (!raw.length) return { body: undefined, files: [] };
  if (!contentType?.startsWith("multipart/form-data"))
    return { body: JSON.parse(raw.toString("utf8")), files: [] };
  const form = await new Response(raw, { headers: { "content-type": contentType } }).formData();
  const files: AttachedFile[] = [];
  for (const [field, value] of form.entries()) {
    if (typeof value === "string") continue;
    files.push({
      field,
      name: value.name,
      contentType: value.type,
      data: Buffer.from(await value.arrayBuffer()),
    });
  }
  const payload = form.get("payload_json");
  return { body: typeof payload === "string" ? JSON.parse(payload) : {}, files };
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

/** What Discord would reject in a modal (error code 50035), or undefined when it fits. */
// biome-ignore lint/suspicious/noExplicitAny: a JSON body as the bot sent it
function modalProblems(modal: any): Record<string, string> | undefined {
  const problems: Record<string, string> = {};
  if (!modal.custom_id || modal.custom_id.length > 100)
    problems.custom_id = "Must be between 1 and 100 in length.";
  if (!modal.title || modal.title.length > 45)
    problems.title = "Must be between 1 and 45 in length.";
  const components = modal.components ?? [];
  if (components.length < 1 || components.length > 5)
    problems.components = "Must be between 1 and 5 in length.";
  // biome-ignore lint/suspicious/noExplicitAny: a component as the bot sent it
  components.forEach((component: any, i: number) => {
    const input = component.type === 18 ? component.component : component.components?.[0];
    if (component.type === 18 && (!component.label || component.label.length > 45))
      problems[`components.${i}.label`] = "Must be between 1 and 45 in length.";
    if (input?.type !== 4 || !input.custom_id)
      problems[`components.${i}`] = "A label with a text input is expected";
    if (component.type === 1 && !input?.label)
      problems[`components.${i}.components.0.label`] = "This field is required";
  });
  return Object.keys(problems).length ? problems : undefined;
}

/**
 * The data of a slash command interaction: its options (an attachment is resolved, as Discord
 * sends it), under its subcommand when the name has one ("document add").
 */
function commandData(
  fullName: string,
  options: Record<string, OptionValue>,
  focused?: string,
): { data: object } {
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
      type: typeof value === "boolean" ? 5 : typeof value === "number" ? 4 : 3,
      value,
      ...(option === focused ? { focused: true } : {}),
    };
  });
  const [name, subcommand] = fullName.split(" ");
  return {
    data: {
      id: snowflake(),
      name,
      type: 1,
      options: subcommand ? [{ name: subcommand, type: 1, options: given }] : given,
      ...(Object.keys(attachments).length ? { resolved: { attachments } } : {}),
    },
  };
}
