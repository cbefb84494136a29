/** What a failed prediction's failure says, and which errors are Replicate's platform failing (retried). */
import { FailureType } from '../../src/domain/failures';
import {
  classifyPredictionError,
  classifyPredictionFailure,
  isPlatformFailure,
} from '../../src/domain/prediction-errors';

describe('classifyPredictionFailure', () => {
  it('says Replicate gave no reason when the error is missing or blank', () => {
    expect(classifyPredictionFailure(null).message).toBe('Prediction failed: Replicate gave no reason');
    expect(classifyPredictionFailure(undefined).type).toBe(FailureType.Generation);
    expect(classifyPredictionFailure('  \n ').message).toBe('Prediction failed: Replicate gave no reason');
  });

  it('trims the reason, and names only what it knows of the prediction', () => {
    expect(classifyPredictionFailure('  CUDA out of memory \n', { predictionId: 'p1' }).message).toBe(
      'Prediction p1 failed: CUDA out of memory',
    );
    expect(classifyPredictionFailure('oops', { model: 'svd' }).message).toBe('Prediction on svd failed: oops');
  });

  it('types the failure by its error: an interrupted prediction is retryable, a model gone is ModelUnavailable', () => {
    expect(classifyPredictionFailure('Prediction interrupted; please retry (code: PA)')).toMatchObject({
      type: FailureType.Retryable,
      nonRetryable: false,
    });
    expect(classifyPredictionFailure('Model version is disabled')).toMatchObject({
      type: FailureType.ModelUnavailable,
      nonRetryable: true,
    });
  });
});

describe('classifyPredictionError', () => {
  it.each([
    ['(code:PA)', FailureType.Retryable],
    ['the run was interrupted', FailureType.Retryable],
    ['uninterrupted output', FailureType.Generation],
    ['unexpected error (E6716)', FailureType.Retryable],
    ['error E1234', FailureType.Generation],
    ['sensitive content detected', FailureType.Generation],
    ['interrupted: flagged as sensitive', FailureType.Generation],
    ['disabled version of the model', FailureType.ModelUnavailable],
    ['model abc is deprecated', FailureType.ModelUnavailable],
    ['the version no longer available', FailureType.ModelUnavailable],
    [null, FailureType.Generation],
  ])('%j is %s', (error, type) => {
    expect(classifyPredictionError(error)).toBe(type);
  });
});

describe('isPlatformFailure', () => {
  it("is true for the Director's errors and their codes, false for other text", () => {
    expect(isPlatformFailure('Director: unexpected error handling prediction')).toBe(true);
    expect(isPlatformFailure('failed (E9243)')).toBe(true);
    expect(isPlatformFailure('failed (E9244)')).toBe(false);
    expect(isPlatformFailure('')).toBe(false);
  });
});
