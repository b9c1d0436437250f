import type { InstrumentInput } from "../db/repositories/instruments.js";

const us = { north_america: 100 };
const equity = { equity: 100 };
const bonds = { fixed_income: 100 };

/**
 * The date the seed prices are recorded under. The original's prices carry no date; this nominal one
 * (the first trading day of 2024, near when they were written) makes sure they always read as old.
 */
export const SEED_PRICES_AS_OF = "2024-01-02";

/** The original's 22 reference instruments, with their seed prices and allocations (each sums to 100). */
export const SEED_INSTRUMENTS: InstrumentInput[] = [
  {
    symbol: "SPY", name: "SPDR S&P 500 ETF Trust", instrument_type: "etf", current_price: 450.25,
    allocation_asset_class: equity, allocation_regions: us,
    allocation_sectors: { technology: 28, healthcare: 13, financials: 13, consumer_discretionary: 12, industrials: 9, communication: 9, consumer_staples: 6, energy: 4, utilities: 3, real_estate: 2, materials: 1 },
  },
  {
    symbol: "QQQ", name: "Invesco QQQ Trust", instrument_type: "etf", current_price: 385.5,
    allocation_asset_class: equity, allocation_regions: us,
    allocation_sectors: { technology: 50, communication: 17, consumer_discretionary: 15, healthcare: 8, consumer_staples: 5, industrials: 3, other: 2 },
  },
  {
    symbol: "IWM", name: "iShares Russell 2000 ETF", instrument_type: "etf", current_price: 205.75,
    allocation_asset_class: equity, allocation_regions: us,
    allocation_sectors: { healthcare: 18, financials: 17, industrials: 16, technology: 14, consumer_discretionary: 12, real_estate: 7, energy: 6, materials: 4, consumer_staples: 3, utilities: 2, communication: 1 },
  },
  {
    symbol: "VEA", name: "Vanguard FTSE Developed Markets ETF", instrument_type: "etf", current_price: 48.3,
    allocation_asset_class: equity, allocation_regions: { europe: 60, asia: 35, oceania: 5 },
    allocation_sectors: { financials: 18, industrials: 14, healthcare: 12, consumer_discretionary: 11, technology: 10, consumer_staples: 9, materials: 8, energy: 6, communication: 5, utilities: 4, real_estate: 3 },
  },
  {
    symbol: "VWO", name: "Vanguard FTSE Emerging Markets ETF", instrument_type: "etf", current_price: 42.15,
    allocation_asset_class: equity, allocation_regions: { asia: 75, latin_america: 10, africa: 8, europe: 7 },
    allocation_sectors: { technology: 22, financials: 20, consumer_discretionary: 15, communication: 10, energy: 8, materials: 7, industrials: 6, consumer_staples: 5, healthcare: 4, utilities: 2, real_estate: 1 },
  },
  {
    symbol: "EFA", name: "iShares MSCI EAFE ETF", instrument_type: "etf", current_price: 75.8,
    allocation_asset_class: equity, allocation_regions: { europe: 65, asia: 35 },
    allocation_sectors: { financials: 17, industrials: 15, healthcare: 13, consumer_discretionary: 12, consumer_staples: 10, technology: 9, materials: 8, energy: 5, communication: 5, utilities: 3, real_estate: 3 },
  },
  {
    symbol: "AGG", name: "iShares Core U.S. Aggregate Bond ETF", instrument_type: "bond_fund", current_price: 98.2,
    allocation_asset_class: bonds, allocation_regions: us,
    allocation_sectors: { treasury: 40, corporate: 25, mortgage: 28, government_related: 7 },
  },
  {
    symbol: "BND", name: "Vanguard Total Bond Market ETF", instrument_type: "bond_fund", current_price: 72.5,
    allocation_asset_class: bonds, allocation_regions: us,
    allocation_sectors: { treasury: 42, corporate: 24, mortgage: 27, government_related: 7 },
  },
  {
    symbol: "TLT", name: "iShares 20+ Year Treasury Bond ETF", instrument_type: "bond_fund", current_price: 92.3,
    allocation_asset_class: bonds, allocation_regions: us, allocation_sectors: { treasury: 100 },
  },
  {
    symbol: "HYG", name: "iShares iBoxx High Yield Corporate Bond ETF", instrument_type: "bond_fund", current_price: 76.85,
    allocation_asset_class: bonds, allocation_regions: { north_america: 95, international: 5 }, allocation_sectors: { corporate: 100 },
  },
  {
    symbol: "XLK", name: "Technology Select Sector SPDR Fund", instrument_type: "etf", current_price: 175.4,
    allocation_asset_class: equity, allocation_regions: us, allocation_sectors: { technology: 100 },
  },
  {
    symbol: "XLV", name: "Health Care Select Sector SPDR Fund", instrument_type: "etf", current_price: 135.6,
    allocation_asset_class: equity, allocation_regions: us, allocation_sectors: { healthcare: 100 },
  },
  {
    symbol: "XLF", name: "Financial Select Sector SPDR Fund", instrument_type: "etf", current_price: 38.25,
    allocation_asset_class: equity, allocation_regions: us, allocation_sectors: { financials: 100 },
  },
  {
    symbol: "XLE", name: "Energy Select Sector SPDR Fund", instrument_type: "etf", current_price: 85.9,
    allocation_asset_class: equity, allocation_regions: us, allocation_sectors: { energy: 100 },
  },
  {
    symbol: "VNQ", name: "Vanguard Real Estate ETF", instrument_type: "etf", current_price: 82.45,
    allocation_asset_class: { real_estate: 100 }, allocation_regions: us, allocation_sectors: { real_estate: 100 },
  },
  {
    symbol: "GLD", name: "SPDR Gold Shares", instrument_type: "etf", current_price: 195.7,
    allocation_asset_class: { commodities: 100 }, allocation_regions: { global: 100 }, allocation_sectors: { commodities: 100 },
  },
  {
    symbol: "SLV", name: "iShares Silver Trust", instrument_type: "etf", current_price: 22.4,
    allocation_asset_class: { commodities: 100 }, allocation_regions: { global: 100 }, allocation_sectors: { commodities: 100 },
  },
  {
    symbol: "AOR", name: "iShares Core Growth Allocation ETF", instrument_type: "etf", current_price: 48.9,
    allocation_asset_class: { equity: 60, fixed_income: 40 }, allocation_regions: { north_america: 60, international: 40 },
    allocation_sectors: { diversified: 100 },
  },
  {
    symbol: "AOA", name: "iShares Core Aggressive Allocation ETF", instrument_type: "etf", current_price: 65.15,
    allocation_asset_class: { equity: 80, fixed_income: 20 }, allocation_regions: { north_america: 55, international: 45 },
    allocation_sectors: { diversified: 100 },
  },
  {
    symbol: "VUG", name: "Vanguard Growth ETF", instrument_type: "etf", current_price: 312.8,
    allocation_asset_class: equity, allocation_regions: us,
    allocation_sectors: { technology: 45, consumer_discretionary: 18, healthcare: 12, industrials: 10, communication: 8, financials: 4, other: 3 },
  },
  {
    symbol: "VTV", name: "Vanguard Value ETF", instrument_type: "etf", current_price: 152.6,
    allocation_asset_class: equity, allocation_regions: us,
    allocation_sectors: { financials: 20, healthcare: 18, industrials: 12, consumer_staples: 11, energy: 10, utilities: 8, communication: 7, materials: 6, technology: 5, other: 3 },
  },
  {
    symbol: "VIG", name: "Vanguard Dividend Appreciation ETF", instrument_type: "etf", current_price: 168.9,
    allocation_asset_class: equity, allocation_regions: us,
    allocation_sectors: { technology: 22, healthcare: 16, financials: 14, consumer_staples: 13, industrials: 12, consumer_discretionary: 10, utilities: 5, materials: 4, other: 4 },
  },
];
