/**
 * Record the operations an AWS SDK client sends (`DescribeStacks`, `CreateChangeSet`, …), in
 * order, into `calls`: how tests assert what a run asked of AWS, and that it asked nothing more.
 */
export function recordCalls<C extends { middlewareStack: { add: (...args: never[]) => void } }>(client: C, calls: string[]): C {
  (client.middlewareStack.add as (middleware: unknown, options: unknown) => void)(
    (next: (args: unknown) => unknown, context: { commandName?: string }) => async (args: unknown) => {
      calls.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return client;
}
