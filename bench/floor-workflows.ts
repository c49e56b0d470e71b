/**
 * bench:floor's workflow (see floor.ts): it holds nothing and does nothing but answer an Update
 * with its argument, so that a round trip measures Temporal's Update path alone (client → server →
 * worker → server → client) with no codec, no proof, no activity and no database; and a second
 * Update whose validator refuses every request (the `refuse` case: what a refused completion costs).
 */
import { condition, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';

export const floorEchoUpdate = defineUpdate<number, [number]>('floorEcho');
export const floorRefuseUpdate = defineUpdate<number, [number]>('floorRefuse');
export const floorStopSignal = defineSignal('floorStop');
/** the refusal of floorRefuseUpdate's validator */
export const FLOOR_REFUSAL = 'refused by the floor workflow';

export async function floorWorkflow(): Promise<number> {
  let answered = 0;
  let stop = false;
  setHandler(floorEchoUpdate, (x: number) => {
    answered += 1;
    return x;
  });
  setHandler(floorRefuseUpdate, (x: number) => x, {
    validator: (_x: number) => {
      throw new Error(FLOOR_REFUSAL);
    },
  });
  setHandler(floorStopSignal, () => void (stop = true));
  await condition(() => stop);
  return answered;
}
