import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';

/** The ApplicationFailure a promise rejects with; fails the test if it resolves or rejects with anything else. */
export async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  let outcome: unknown;
  try {
    outcome = await promise;
  } catch (error) {
    if (error instanceof ApplicationFailure) return error;
    throw error;
  }
  throw new Error(`expected an ApplicationFailure, got ${JSON.stringify(outcome)}`);
}

/** The ApplicationFailure a workflow failed with, from the WorkflowFailedError its result rejects with. */
export async function workflowFailureOf(result: Promise<unknown>): Promise<ApplicationFailure> {
  let outcome: unknown;
  try {
    outcome = await result;
  } catch (error) {
    if (error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure) return error.cause;
    throw error;
  }
  throw new Error(`expected the workflow to fail, it returned ${JSON.stringify(outcome)}`);
}
