/** @module Public names of the scte35 module (chosen here, re-exported by the package index). */
export {};
