/** The Jest globalTeardown that stops the broker of jest-global-setup and deletes its folder. */
import { takeJestHandle } from './jest-global-handle.js';

export default async function globalTeardown(): Promise<void> {
  await takeJestHandle()?.stop();
}
