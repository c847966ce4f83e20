/**
 * The fake AWS endpoint for a step test file: the fake-aws tests' `useFake` (one fake per
 * file, reset before every test), with kx's AWS waiters polling every 5 ms instead of
 * seconds, and a cleanup of what the file made beside it (its SSH key on disk).
 */
import { afterAll, beforeAll } from "vitest";
import { useFake, type Fake } from "../fake-aws/fake.js";

export interface UseFakeAwsOptions {
  /** Test hosts the fake's instances stand for, set again before every test. */
  hosts?: NonNullable<Parameters<typeof useFake>[0]>["hosts"];
  /** Runs once the file's tests are done. */
  cleanup?: () => void;
}

/** Starts the fake for the calling test file; returns a getter (the fake exists only once beforeAll ran). */
export function useFakeAws(options: UseFakeAwsOptions = {}): () => Fake {
  beforeAll(() => {
    process.env.KX_AWS_POLL_MS = "5";
  });
  const fake = useFake(options.hosts ? { hosts: options.hosts } : {});
  if (options.cleanup) afterAll(options.cleanup);
  return fake;
}
