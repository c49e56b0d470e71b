/**
 * bench:floor's workflow (see floor.ts): it holds nothing and does nothing but answer an Update
 * with its argument, so that a round trip measures Temporal's Update path alone (client → server →
 * worker → server → client) with no codec, no proof, no activity and no database.
 */
import { condition, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';

export const floorEchoUpdate = defineUpdate<number, [number]>('floorEcho');
export const floorStopSignal = defineSignal('floorStop');

export async function floorWorkflow(): Promise<number> {
  let answered = 0;
  let stop = false;
  setHandler(floorEchoUpdate, (x: number) => {
    answered += 1;
    return x;
  });
  setHandler(floorStopSignal, () => void (stop = true));
  await condition(() => stop);
  return answered;
}
