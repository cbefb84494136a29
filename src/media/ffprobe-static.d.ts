declare module 'ffprobe-static' {
  const ffprobeStatic: { path: string };
  export = ffprobeStatic;
}
