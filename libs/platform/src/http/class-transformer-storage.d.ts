// class-transformer ships no declaration for its metadata store module.
declare module 'class-transformer/cjs/storage.js' {
  export const defaultMetadataStorage: unknown;
}
