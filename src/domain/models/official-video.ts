/** Figures shared by the official (per-output-billed) video models. */

/** Kling 2.1 and Hailuo-02 both deliver 24 fps video. */
export const OFFICIAL_VIDEO_FPS = 24;

/**
 * Official video models run for minutes: the reference's example of one has predict_time 210 s (unconfirmed
 * for these two models). Used for information and deadlines only; they bill per output second, not time.
 */
export const OFFICIAL_TYPICAL_PREDICT_SECONDS = 210;

/** Ten minutes from the first create: a typical run, a 10 s or 1080p run, and queueing all fit. */
export const OFFICIAL_DEADLINE_SECONDS = 600;

/** Official models are kept warm (no cold boot): only queueing, under load, keeps one `starting`. */
export const OFFICIAL_START_LIMIT_SECONDS = 300;
