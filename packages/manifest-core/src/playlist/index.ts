/** @module Public names of the playlist module (chosen here, re-exported by the package index). */
export {};
