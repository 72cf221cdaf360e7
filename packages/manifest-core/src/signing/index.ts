/** @module Public names of the signing module (chosen here, re-exported by the package index). */
export {};
