/**
 * Published net expense ratios of the 22 reference instruments and VTI (the demo's own), as fractions of assets a
 * year, from the issuers' fund pages and prospectuses (SPDR, Invesco, iShares, Vanguard) as of 2024. They apply by
 * symbol to any instrument without a ratio of its own, however it was added (the retirement model looks them up).
 * A fund not listed is modelled at the stated default ratio and the outlook names it: never assumed free.
 */
export const EXPENSE_RATIOS: Readonly<Record<string, number>> = Object.freeze({
  SPY: 0.000945,
  QQQ: 0.002,
  IWM: 0.0019,
  VEA: 0.0005,
  VWO: 0.0008,
  EFA: 0.0035,
  AGG: 0.0003,
  BND: 0.0003,
  TLT: 0.0015,
  HYG: 0.0049,
  XLK: 0.0009,
  XLV: 0.0009,
  XLF: 0.0009,
  XLE: 0.0009,
  VNQ: 0.0012,
  GLD: 0.004,
  SLV: 0.005,
  AOR: 0.0015,
  AOA: 0.0015,
  VUG: 0.0004,
  VTV: 0.0004,
  VIG: 0.0006,
  VTI: 0.0003,
});
