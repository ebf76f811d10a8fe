/** Engine version, recorded in analyses and reports so results can be reproduced. */
export const VIGIL_VERSION = '0.1.0';
