/**
 * Typed client-node calls whose answer is kept as the API server sent it. client-node 1.4's
 * models predate fields dralloc reads (a Pod's `spec.schedulingGroup`, Kubernetes v1.36), and
 * decoding into a model drops every field the model lacks; a middleware keeps the body text.
 */

/** Runs `call` (a typed client-node call given `options`) and returns the response body as plain JSON. */
export async function rawAnswer<T>(call: (options: object) => Promise<unknown>): Promise<T> {
  let raw: T | undefined;
  const keep = {
    pre: <C>(ctx: C) => observable(Promise.resolve(ctx)),
    post: <R extends { body: { text(): Promise<string>; binary(): Promise<Buffer> } }>(response: R) =>
      observable(
        response.body.text().then((text) => {
          raw = JSON.parse(text) as T;
          response.body = { text: async () => text, binary: async () => Buffer.from(text) };
          return response;
        }),
      ),
  };
  await call({ middleware: [keep], middlewareMergeStrategy: 'append' });
  return raw!;
}

interface Observed<T> {
  toPromise(): Promise<T>;
  pipe<U>(f: (v: T) => U | Promise<U>): Observed<U>;
}

/** client-node 1.4 calls a middleware expecting its Observable stub (`toPromise`, `pipe`) back. */
export function observable<T>(p: Promise<T>): Observed<T> {
  return { toPromise: () => p, pipe: (f) => observable(p.then(f)) };
}
