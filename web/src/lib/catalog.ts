// The catalog (categories -> subcategories -> services) and the area list, each fetched once per
// page load and shared by every page that needs them (browse, onboarding, public profiles).
// A failed load is forgotten so the next caller tries again.

import { get } from './api/client';
import type { Area, AreaList, Catalog, CatalogCategory, CatalogService, CatalogSubcategory } from './api/instructor-types';

let catalogPromise: Promise<Catalog> | null = null;
let areasPromise: Promise<Area[]> | null = null;

export function loadCatalog(): Promise<Catalog> {
  catalogPromise ??= get<Catalog>('/api/v1/catalog')
    .then((c) => ({ categories: Array.isArray(c?.categories) ? c.categories : [] }))
    .catch((err: unknown) => {
      catalogPromise = null;
      throw err;
    });
  return catalogPromise;
}

export function loadAreas(): Promise<Area[]> {
  areasPromise ??= get<AreaList>('/api/v1/areas')
    .then((a) => (Array.isArray(a?.areas) ? a.areas : []))
    .catch((err: unknown) => {
      areasPromise = null;
      throw err;
    });
  return areasPromise;
}

/** A catalog service with where it sits, for pickers and look-ups by id or slug. */
export interface ServiceEntry {
  service: CatalogService;
  subcategory: CatalogSubcategory;
  category: CatalogCategory;
}

export function flattenCatalog(catalog: Catalog): ServiceEntry[] {
  const out: ServiceEntry[] = [];
  for (const category of catalog.categories) {
    for (const subcategory of category.subcategories ?? []) {
      for (const service of subcategory.services ?? []) out.push({ service, subcategory, category });
    }
  }
  return out;
}

/** Boroughs in list order, each with its neighborhoods sorted by name. */
export interface AreaGroup {
  borough: Area;
  neighborhoods: Area[];
}

export function groupAreas(areas: Area[]): AreaGroup[] {
  const boroughs = areas.filter((a) => a.kind === 'borough' || !a.parent);
  const groups = boroughs.map((borough) => ({
    borough,
    neighborhoods: areas
      .filter((a) => a.kind === 'neighborhood' && a.parent === borough.slug)
      .sort((a, b) => a.name.localeCompare(b.name)),
  }));
  // Neighborhoods whose borough is missing from the list still get a home.
  const known = new Set(boroughs.map((b) => b.slug));
  const orphans = areas.filter((a) => a.kind === 'neighborhood' && a.parent && !known.has(a.parent));
  if (orphans.length) {
    groups.push({
      borough: { slug: '', name: 'Other areas', kind: 'borough', parent: null, aliases: [], lat: 0, lng: 0, radius_km: 0 },
      neighborhoods: orphans.sort((a, b) => a.name.localeCompare(b.name)),
    });
  }
  return groups;
}

/** The area whose centre is closest to a point (to show which area a saved address is in). */
export function nearestArea(areas: Area[], lat: number, lng: number): Area | null {
  let best: Area | null = null;
  let bestD = Infinity;
  for (const a of areas) {
    const dLat = a.lat - lat;
    const dLng = (a.lng - lng) * Math.cos((lat * Math.PI) / 180);
    const d = dLat * dLat + dLng * dLng;
    // Prefer neighborhoods: a borough's centre is a coarse guess.
    const weighted = a.kind === 'borough' ? d * 4 : d;
    if (weighted < bestD) {
      bestD = weighted;
      best = a;
    }
  }
  return best;
}
