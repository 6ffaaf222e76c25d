import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { contentWords, stem } from "../../src/text/tokens.js";

/** A chat completion request as the server received it. */
export interface ChatCall {
  model: string;
  stream: boolean;
  messages: { role: string; content: string }[];
  /** The system message(s), joined. */
  system: string;
  /** The user message(s), joined. */
  user: string;
  /** The Authorization header. */
  authorization?: string;
}

/** How the server answers one chat request. */
export type ChatReply =
  /**
   * A completion with this text: one JSON body, or server-sent events of a few characters each.
   * With stallMs, the server stalls that long before the body, or before the end of the stream;
   * with pieceDelayMs, it waits that long between the pieces of a stream, as a slow model would.
   */
  | { text: string; stallMs?: number; pieceDelayMs?: number }
  /** An error status with an OpenAI-style error body. */
  | { status: number; message?: string; headers?: Record<string, string> }
  /** This body as is, whatever the request asked for. */
  | { raw: string };

export interface OpenAIServer {
  /** The base URL to give the client: http://127.0.0.1:port/v1 */
  baseURL: string;
  /** Decides each chat reply; set it in the test. */
  chat: (call: ChatCall) => ChatReply;
  /** Every chat request received, in order. */
  chats: ChatCall[];
  /** The model named by every embeddings request, with how many texts it carried. */
  embeddings: { model: string; inputs: number }[];
  /** When set, embeddings requests get no answer for this many milliseconds, as a stalled server. */
  embeddingsStallMs: number;
  close(): Promise<void>;
}

export const EMBEDDING_DIMENSIONS = 256;
const STREAM_PIECE = 7;

/**
 * An OpenAI-compatible server on loopback: `/v1/chat/completions` (JSON or server-sent events)
 * answering as the test says, and `/v1/embeddings` with deterministic bag-of-words vectors.
 */
export async function startOpenAIServer(): Promise<OpenAIServer> {
  const state: OpenAIServer = {
    baseURL: "",
    chat: () => ({ status: 500, message: "the test set no reply" }),
    chats: [],
    embeddings: [],
    embeddingsStallMs: 0,
    close: async () => {},
  };
  const server = createServer((request, response) => {
    readJson(request)
      .then((body) => {
        if (request.method === "POST" && request.url === "/v1/chat/completions") {
          return chat(state, body, request.headers.authorization, response);
        }
        if (request.method === "POST" && request.url === "/v1/embeddings") {
          return embeddings(state, body, response);
        }
        sendError(response, 404, `no route ${request.method} ${request.url}`);
      })
      .catch((error: Error) => sendError(response, 400, error.message));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  state.baseURL = `http://127.0.0.1:${port}/v1`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

// biome-ignore lint/suspicious/noExplicitAny: request bodies are whatever the client sent
type Json = any;

async function readJson(request: IncomingMessage): Promise<Json> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return JSON.parse(Buffer.concat(parts).toString("utf8") || "{}");
}

function sendError(response: ServerResponse, status: number, message: string, headers = {}) {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify({ error: { message, type: "test_error", code: null } }));
}

async function chat(
  state: OpenAIServer,
  body: Json,
  authorization: string | undefined,
  response: ServerResponse,
): Promise<void> {
  const messages = (body.messages as { role: string; content: string }[]).map(
    ({ role, content }) => ({ role, content }),
  );
  const text = (role: string) =>
    messages
      .filter((message) => message.role === role)
      .map((message) => message.content)
      .join("\n");
  const call: ChatCall = {
    model: body.model,
    stream: body.stream === true,
    messages,
    system: text("system"),
    user: text("user"),
    authorization,
  };
  state.chats.push(call);
  const reply = state.chat(call);
  if ("status" in reply) {
    sendError(response, reply.status, reply.message ?? `status ${reply.status}`, reply.headers);
    return;
  }
  if ("raw" in reply) {
    response.writeHead(200, {
      "content-type": call.stream ? "text/event-stream" : "application/json",
    });
    response.end(reply.raw);
    return;
  }
  const stall = () => new Promise((resolve) => setTimeout(resolve, reply.stallMs ?? 0));
  const id = `chatcmpl-${state.chats.length}`;
  const created = Math.floor(Date.now() / 1000);
  if (!call.stream) {
    await stall();
    if (response.destroyed) return;
    response.writeHead(200, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        id,
        object: "chat.completion",
        created,
        model: call.model,
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: reply.text },
            finish_reason: "stop",
          },
        ],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      }),
    );
    return;
  }
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const event = (delta: object, finish: string | null) =>
    `data: ${JSON.stringify({
      id,
      object: "chat.completion.chunk",
      created,
      model: call.model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    })}\n\n`;
  response.write(event({ role: "assistant", content: "" }, null));
  for (let i = 0; i < reply.text.length && !response.destroyed; i += STREAM_PIECE) {
    response.write(event({ content: reply.text.slice(i, i + STREAM_PIECE) }, null));
    // Let the client see the text grow, as it would from a model.
    await new Promise((resolve) =>
      reply.pieceDelayMs ? setTimeout(resolve, reply.pieceDelayMs) : setImmediate(resolve),
    );
  }
  await stall();
  if (response.destroyed) return;
  response.write(event({}, "stop"));
  response.end("data: [DONE]\n\n");
}

async function embeddings(state: OpenAIServer, body: Json, response: ServerResponse) {
  const inputs: string[] = Array.isArray(body.input) ? body.input : [body.input];
  state.embeddings.push({ model: body.model, inputs: inputs.length });
  if (state.embeddingsStallMs) {
    await new Promise((resolve) => setTimeout(resolve, state.embeddingsStallMs).unref());
    if (response.destroyed) return;
  }
  const base64 = body.encoding_format === "base64";
  const data = inputs.map((input, index) => {
    const vector = bagOfWords(input);
    return {
      object: "embedding",
      index,
      embedding: base64 ? Buffer.from(vector.buffer).toString("base64") : Array.from(vector),
    };
  });
  response.writeHead(200, { "content-type": "application/json" });
  response.end(
    JSON.stringify({
      object: "list",
      data,
      model: body.model,
      usage: { prompt_tokens: 1, total_tokens: 1 },
    }),
  );
}

/** A unit vector of hashed word stems: texts sharing words point the same way. */
export function bagOfWords(text: string): Float32Array {
  const vector = new Float32Array(EMBEDDING_DIMENSIONS);
  const terms = contentWords(text).map(stem);
  for (const term of terms.length > 0 ? terms : [text]) {
    const hash = fnv1a(term);
    vector[hash % EMBEDDING_DIMENSIONS] += hash & 0x80000000 ? -1 : 1;
  }
  let norm = Math.hypot(...vector);
  if (norm === 0) {
    vector[0] = 1;
    norm = 1;
  }
  return vector.map((x) => x / norm);
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
