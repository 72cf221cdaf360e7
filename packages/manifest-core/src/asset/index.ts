/** @module Public names of the asset module (chosen here, re-exported by the package index). */
export { parseAssetManifest, ASSET_MANIFEST_VERSION } from './asset-manifest.ts';
export type {
  AssetManifest,
  AssetStatus,
  AssetRendition,
  AssetAudio,
  AssetThumbnails,
  AssetThumbnailSize,
} from './asset-manifest.ts';
