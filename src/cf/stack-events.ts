import type { CloudFormationClient, StackEvent } from '@aws-sdk/client-cloudformation';
import { cloudFormationSdk } from '../aws/sdk.js';

const { DescribeStackEventsCommand } = cloudFormationSdk();

/**
 * The stack's new events, delivered oldest first, each once. "New" is decided by event id, not
 * by time: the events that exist before the operation are marked seen, so a local clock that is
 * off from AWS's can never hide an event (such as the one saying why a resource failed).
 * Shared by deploy-cf and destroy.
 */
export class EventStream {
  private readonly seen = new Set<string>();
  private readonly all: StackEvent[] = [];

  private constructor(
    private readonly cfn: CloudFormationClient,
    private readonly stack: string,
    private readonly stackName: string,
    private readonly emit: (event: StackEvent) => void,
  ) {}

  /**
   * A stream of the events that follow this moment. `stack` is the stack's name or id; a stack
   * being deleted needs its id, since once it is gone its name no longer finds it.
   */
  static async after(cfn: CloudFormationClient, stack: string, emit: (event: StackEvent) => void, stackName = stack): Promise<EventStream> {
    const stream = new EventStream(cfn, stack, stackName, emit);
    for (const event of await stream.latest()) if (event.EventId) stream.seen.add(event.EventId);
    return stream;
  }

  private async latest(): Promise<StackEvent[]> {
    return (await this.cfn.send(new DescribeStackEventsCommand({ StackName: this.stack }))).StackEvents ?? [];
  }

  async poll(): Promise<void> {
    const fresh = (await this.latest()).filter((e): e is StackEvent & { EventId: string } => !!e.EventId && !this.seen.has(e.EventId)).reverse();
    for (const event of fresh) {
      this.seen.add(event.EventId);
      this.all.push(event);
      this.emit(event);
    }
  }

  /** The first resource that failed: the cause, where later failures are usually consequences. */
  firstFailure(): StackEvent | undefined {
    return this.all.find((e) => e.ResourceStatus?.endsWith('_FAILED') && e.LogicalResourceId !== this.stackName);
  }

  /** The stack's own last event with this status (its reason says why a whole-stack step failed). */
  lastStackEvent(status: string): StackEvent | undefined {
    return this.all.findLast((e) => e.ResourceStatus === status && e.LogicalResourceId === this.stackName);
  }
}
