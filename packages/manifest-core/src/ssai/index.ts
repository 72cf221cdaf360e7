/** @module Public names of the ssai module (chosen here, re-exported by the package index). */
export {};
