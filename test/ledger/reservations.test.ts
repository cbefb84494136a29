import { randomUUID } from 'node:crypto';
import { clipCostEntry, describeEachLedger, itConcurrent, type OpenedLedger } from './backends';

const entry = clipCostEntry;

describeEachLedger('budget reservations', (backend) => {
  let opened: OpenedLedger;

  beforeAll(async () => {
    opened = await backend.open();
  });
  afterAll(async () => {
    await opened.ledger.close();
  });

  const reserve = (jobId: string, clipIndex: number, estimateUsd: string) =>
    opened.ledger.reserveBudget({ jobId, clipIndex, amountUsd: estimateUsd });
  const reservedAmounts = async (jobId: string) =>
    (await opened.ledger.listReservations(jobId)).map(({ clipIndex, amountUsd }) => [clipIndex, amountUsd]);

  it('reserves a clip in a job it creates, and counts it against the other clips', async () => {
    const jobId = randomUUID();
    expect(await reserve(jobId, 0, '0.3')).toEqual({
      granted: true,
      budgetUsd: null,
      bookedUsd: '0.000000',
      reservedUsd: '0.000000',
      reservingClips: 0,
    });
    await opened.ledger.ensureJob(jobId, '1');
    expect(await reserve(jobId, 1, '0.5')).toMatchObject({ granted: true, reservedUsd: '0.300000', reservingClips: 1 });
    expect(await reserve(jobId, 2, '0.200001')).toEqual({
      granted: false,
      budgetUsd: '1.000000',
      bookedUsd: '0.000000',
      reservedUsd: '0.800000',
      reservingClips: 2,
    });
    expect(await reservedAmounts(jobId)).toEqual([
      [0, '0.300000'],
      [1, '0.500000'],
    ]);
  });

  it("replaces a clip's reservation when it checks again, never counting it twice", async () => {
    const jobId = randomUUID();
    await opened.ledger.ensureJob(jobId, '1');
    await reserve(jobId, 0, '0.6');
    // A retry of the same check, then the fallback branch's larger estimate: each fits only without the old one.
    expect(await reserve(jobId, 0, '0.6')).toMatchObject({ granted: true, reservedUsd: '0.000000' });
    expect(await reserve(jobId, 0, '0.9')).toMatchObject({ granted: true, reservedUsd: '0.000000' });
    expect(await reservedAmounts(jobId)).toEqual([[0, '0.900000']]);
  });

  it('frees the reservation of a clip whose check is refused, since that clip goes no further', async () => {
    const jobId = randomUUID();
    await opened.ledger.ensureJob(jobId, '1');
    await reserve(jobId, 0, '0.2');
    await reserve(jobId, 1, '0.5');
    expect(await reserve(jobId, 1, '0.9')).toMatchObject({ granted: false, reservedUsd: '0.200000' });
    expect(await reservedAmounts(jobId)).toEqual([[0, '0.200000']]);
  });

  it('counts booked costs, and a booking replaces the clip’s reservation in the same transaction', async () => {
    const jobId = randomUUID();
    await opened.ledger.ensureJob(jobId, '0.2');
    await reserve(jobId, 0, '0.084');
    await reserve(jobId, 1, '0.084');
    await opened.ledger.bookClipCost(entry(jobId, { clipIndex: 0, amountUsd: '0.05' }));
    expect(await reservedAmounts(jobId)).toEqual([[1, '0.084000']]);
    // 0.05 booked + 0.084 reserved + 0.066 = 0.2 fits exactly; a micro-dollar more does not.
    expect(await reserve(jobId, 2, '0.066001')).toMatchObject({ granted: false, bookedUsd: '0.050000' });
    expect(await reserve(jobId, 2, '0.066')).toMatchObject({ granted: true, reservedUsd: '0.084000' });
  });

  it('keeps the reservation when a booking asks to (a canceled prediction the clip may follow up)', async () => {
    const jobId = randomUUID();
    await reserve(jobId, 3, '0.084');
    await opened.ledger.bookClipCost(
      entry(jobId, { clipIndex: 3, predictionStatus: 'canceled', releaseReservation: false }),
    );
    expect(await reservedAmounts(jobId)).toEqual([[3, '0.084000']]);
    expect((await opened.ledger.listClipCosts(jobId))[0]).toMatchObject({ predictionStatus: 'canceled' });
  });

  it('releases a reservation once; releasing again or an unknown clip is a no-op', async () => {
    const jobId = randomUUID();
    await reserve(jobId, 0, '0.1');
    expect(await opened.ledger.releaseBudget(jobId, 0)).toBe(true);
    expect(await opened.ledger.releaseBudget(jobId, 0)).toBe(false);
    expect(await opened.ledger.releaseBudget(randomUUID(), 7)).toBe(false);
    expect(await reservedAmounts(jobId)).toEqual([]);
  });

  it('refuses a malformed estimate or clip index as InvalidInput, reserving nothing', async () => {
    const jobId = randomUUID();
    await expect(reserve(jobId, 0, '0.0000001')).rejects.toMatchObject({ type: 'InvalidInput' });
    await expect(reserve(jobId, -1, '0.1')).rejects.toMatchObject({ type: 'InvalidInput', nonRetryable: true });
    expect(await reservedAmounts(jobId)).toEqual([]);
  });

  itConcurrent(backend, 'grants exactly as many of 10 simultaneous checks as the budget holds', async () => {
    const jobId = randomUUID();
    await opened.ledger.ensureJob(jobId, '0.45');
    await opened.ledger.bookClipCost(entry(jobId, { clipIndex: 99, amountUsd: '0.05' }));
    const results = await Promise.all(Array.from({ length: 10 }, (_, clipIndex) => reserve(jobId, clipIndex, '0.1')));
    expect(results.filter((result) => result.granted)).toHaveLength(4);
    const reservations = await opened.ledger.listReservations(jobId);
    expect(reservations).toHaveLength(4);
    // Each grant saw the grants before it: the reserved totals they saw are 0, 0.1, 0.2, 0.3.
    expect(
      results
        .filter((result) => result.granted)
        .map((result) => result.reservedUsd)
        .sort(),
    ).toEqual(['0.000000', '0.100000', '0.200000', '0.300000']);
  });

  itConcurrent(backend, 'never deadlocks or overshoots when checks and bookings of one job interleave', async () => {
    const jobId = randomUUID();
    await opened.ledger.ensureJob(jobId, '1');
    const bookings = Array.from({ length: 10 }, (_, clipIndex) =>
      opened.ledger.bookClipCost(entry(jobId, { clipIndex: 100 + clipIndex, amountUsd: '0.03' })),
    );
    const checks = Array.from({ length: 10 }, (_, clipIndex) => reserve(jobId, clipIndex, '0.1'));
    const [, results] = await Promise.all([Promise.all(bookings), Promise.all(checks)]);
    const granted = results.filter((result) => result.granted).length;
    // 0.3 booked in all; whatever order they ran in, booked + reserved never passes 1.
    expect(granted).toBeGreaterThanOrEqual(7);
    expect(granted).toBeLessThanOrEqual(10);
    const job = await opened.ledger.getJob(jobId);
    expect(job?.totalCost).toBe('0.300000');
    expect(0.3 + granted * 0.1).toBeLessThanOrEqual(1 + 1e-9);
    expect(await opened.ledger.listReservations(jobId)).toHaveLength(granted);
  });
});

describeEachLedger('booking queries', (backend) => {
  let opened: OpenedLedger;

  beforeAll(async () => {
    opened = await backend.open();
  });
  afterAll(async () => {
    await opened.ledger.close();
  });

  it('lists the newest bookings first, and those booked since an instant', async () => {
    const jobId = randomUUID();
    const before = new Date(Date.now() - 1000).toISOString();
    for (const clipIndex of [0, 1, 2]) {
      await opened.ledger.bookClipCost(entry(jobId, { clipIndex, predictionId: `p${clipIndex}` }));
    }
    const recent = (await opened.ledger.listRecentClipCosts(1000)).filter((row) => row.jobId === jobId);
    expect(recent.map((row) => row.predictionId)).toEqual(['p2', 'p1', 'p0']);
    expect(await opened.ledger.listRecentClipCosts(2)).toHaveLength(2);
    await expect(opened.ledger.listRecentClipCosts(0)).rejects.toMatchObject({ type: 'InvalidInput' });

    const since = await opened.ledger.listClipCostsBookedSince(before);
    expect(since.filter((row) => row.jobId === jobId).map((row) => row.predictionId)).toEqual(['p0', 'p1', 'p2']);
    expect(since.every((row) => row.createdAt >= before)).toBe(true);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(await opened.ledger.listClipCostsBookedSince(future)).toEqual([]);
  });
});
