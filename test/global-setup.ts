/**
 * Runs once before the test files: makes sure the Temporal binaries are installed, so parallel
 * test processes never race to install them.
 */
import { temporalBinaries } from './helpers/temporal';

export default function setup(): void {
  const bins = temporalBinaries();
  console.log(`temporal binaries: ${bins.temporal}, ${bins.testServer}`);
}
