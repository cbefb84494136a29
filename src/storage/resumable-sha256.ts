/**
 * SHA-256 whose running state can be saved and restored (Node's crypto hashes cannot be serialised). A resumed
 * upload restores the state an earlier attempt checkpointed, so the object's digest covers every byte even though
 * this attempt downloads only the rest.
 */
const ROUND_CONSTANTS = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
const INITIAL_STATE = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
const BLOCK_BYTES = 64;

/** What a checkpoint keeps: the eight state words, the bytes hashed so far and the unprocessed tail (< 64 bytes). */
export interface Sha256State {
  words: number[];
  bytes: number;
  /** Base64 of the bytes not yet processed as a full block. */
  tail: string;
}

export class ResumableSha256 {
  private readonly words: Int32Array;
  private readonly schedule = new Int32Array(64);
  private readonly pending = Buffer.alloc(BLOCK_BYTES);
  private pendingBytes: number;
  private totalBytes: number;

  constructor(state?: Sha256State) {
    this.words = Int32Array.from(state?.words ?? INITIAL_STATE);
    const tail = state ? Buffer.from(state.tail, 'base64') : Buffer.alloc(0);
    tail.copy(this.pending);
    this.pendingBytes = tail.length;
    this.totalBytes = state?.bytes ?? 0;
  }

  /** Bytes hashed so far. */
  get bytes(): number {
    return this.totalBytes;
  }

  update(data: Uint8Array): this {
    this.totalBytes += data.length;
    let offset = 0;
    if (this.pendingBytes > 0) {
      const taken = Math.min(BLOCK_BYTES - this.pendingBytes, data.length);
      this.pending.set(data.subarray(0, taken), this.pendingBytes);
      this.pendingBytes += taken;
      offset = taken;
      if (this.pendingBytes < BLOCK_BYTES) return this;
      this.compress(this.pending, 0, BLOCK_BYTES);
      this.pendingBytes = 0;
    }
    const whole = offset + Math.floor((data.length - offset) / BLOCK_BYTES) * BLOCK_BYTES;
    this.compress(data, offset, whole);
    offset = whole;
    this.pending.set(data.subarray(offset), 0);
    this.pendingBytes = data.length - offset;
    return this;
  }

  exportState(): Sha256State {
    return {
      words: Array.from(this.words),
      bytes: this.totalBytes,
      tail: this.pending.subarray(0, this.pendingBytes).toString('base64'),
    };
  }

  /** Hex digest of everything hashed so far; the hash itself stays usable. */
  digest(): string {
    const copy = new ResumableSha256(this.exportState());
    const bitLength = BigInt(this.totalBytes) * 8n;
    const padding = Buffer.alloc(((BLOCK_BYTES + 56 - ((this.pendingBytes + 1) % BLOCK_BYTES)) % BLOCK_BYTES) + 9);
    padding[0] = 0x80;
    padding.writeBigUInt64BE(bitLength, padding.length - 8);
    copy.update(padding);
    const out = Buffer.alloc(32);
    copy.words.forEach((word, index) => out.writeInt32BE(word, index * 4));
    return out.toString('hex');
  }

  /** Processes every whole block of `data[offset, end)`, keeping the state in locals between blocks. */
  private compress(data: Uint8Array, offset: number, end: number): void {
    const w = this.schedule;
    const s = this.words;
    let a0 = s[0];
    let b0 = s[1];
    let c0 = s[2];
    let d0 = s[3];
    let e0 = s[4];
    let f0 = s[5];
    let g0 = s[6];
    let h0 = s[7];
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    for (let at = offset; at + BLOCK_BYTES <= end; at += BLOCK_BYTES) {
      for (let i = 0; i < 16; i += 1) w[i] = view.getInt32(at + i * 4);
      for (let i = 16; i < 64; i += 1) {
        const x = w[i - 15];
        const y = w[i - 2];
        const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[i] = (((s1 + w[i - 7]) | 0) + ((s0 + w[i - 16]) | 0)) | 0;
      }
      let a = a0;
      let b = b0;
      let c = c0;
      let d = d0;
      let e = e0;
      let f = f0;
      let g = g0;
      let h = h0;
      for (let i = 0; i < 64; i += 1) {
        const sum1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        const t1 = (((sum1 + ((e & f) ^ (~e & g))) | 0) + ((h + ((ROUND_CONSTANTS[i] + w[i]) | 0)) | 0)) | 0 | 0;
        const sum0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        const t2 = (sum0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        h = g;
        g = f;
        f = e;
        e = (d + t1) | 0;
        d = c;
        c = b;
        b = a;
        a = (t1 + t2) | 0;
      }
      a0 = (a0 + a) | 0;
      b0 = (b0 + b) | 0;
      c0 = (c0 + c) | 0;
      d0 = (d0 + d) | 0;
      e0 = (e0 + e) | 0;
      f0 = (f0 + f) | 0;
      g0 = (g0 + g) | 0;
      h0 = (h0 + h) | 0;
    }
    s[0] = a0;
    s[1] = b0;
    s[2] = c0;
    s[3] = d0;
    s[4] = e0;
    s[5] = f0;
    s[6] = g0;
    s[7] = h0;
  }
}
