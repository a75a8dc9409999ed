// The onboarding steps in order, the `missing` codes (from GET /instructor/profile) each one
// clears, and how the go-live checklist words them.

import type { MissingItem, OwnProfile } from '../../../lib/api/instructor-types';

export type StepSlug =
  | 'profile'
  | 'services'
  | 'areas'
  | 'photo'
  | 'background-check'
  | 'payouts'
  | 'availability'
  | 'go-live';

export interface StepDef {
  slug: StepSlug;
  label: string;
  title: string;
  intro: string;
  clears: MissingItem[];
}

export const STEPS: readonly StepDef[] = [
  {
    slug: 'profile',
    label: 'Profile',
    title: 'About you',
    intro: 'Students read this first. A warm, specific bio gets more bookings.',
    clears: ['bio'],
  },
  {
    slug: 'services',
    label: 'Services & prices',
    title: 'What you teach',
    intro: 'Pick the lessons you offer, who they are for, and your hourly price for each format.',
    clears: ['services'],
  },
  {
    slug: 'areas',
    label: 'Areas',
    title: 'Where you travel',
    intro: 'The neighborhoods where you teach at the student’s place.',
    clears: ['service_area'],
  },
  {
    slug: 'photo',
    label: 'Photo',
    title: 'Your photo',
    intro: 'A clear, friendly photo of your face. Students book people they can picture.',
    clears: ['photo'],
  },
  {
    slug: 'background-check',
    label: 'Background check',
    title: 'Background check',
    intro: 'Every instructor on InstaInstru passes a background check before taking bookings.',
    clears: ['background_check'],
  },
  {
    slug: 'payouts',
    label: 'Payouts',
    title: 'Get paid',
    intro: 'Connect a payout account so lesson payments reach you.',
    clears: ['payouts'],
  },
  {
    slug: 'availability',
    label: 'Availability',
    title: 'When you teach',
    intro: 'Your weekly hours. Students can only book times inside them.',
    clears: ['availability'],
  },
  {
    slug: 'go-live',
    label: 'Go live',
    title: 'Go live',
    intro: 'Once everything is in place, publish your profile and start taking bookings.',
    clears: [],
  },
];

/** Which step fixes a missing item (go-live checklist links). */
export const STEP_FOR: Record<MissingItem, StepSlug> = {
  bio: 'profile',
  services: 'services',
  service_area: 'areas',
  photo: 'photo',
  background_check: 'background-check',
  payouts: 'payouts',
  availability: 'availability',
};

/** Checklist wording, in wizard order. */
export const REQUIREMENTS: ReadonlyArray<{ code: MissingItem; label: string; done: string }> = [
  { code: 'bio', label: 'Write a bio (at least 10 characters)', done: 'Bio written' },
  { code: 'services', label: 'Offer at least one service with a price', done: 'Services and prices set' },
  { code: 'service_area', label: 'Choose where you travel (you offer lessons at students’ places)', done: 'Service areas chosen' },
  { code: 'photo', label: 'Add a profile photo', done: 'Photo added' },
  { code: 'background_check', label: 'Pass the background check', done: 'Background check passed' },
  { code: 'payouts', label: 'Set up payouts', done: 'Payouts set up' },
  { code: 'availability', label: 'Set your weekly availability', done: 'Availability set' },
];

export type StepState = 'done' | 'todo' | 'waiting' | 'optional';

export function stepState(step: StepDef, profile: OwnProfile): StepState {
  if (step.slug === 'go-live') return profile.live ? 'done' : 'todo';
  if (step.clears.some((c) => profile.missing.includes(c))) {
    if (step.slug === 'background-check' && profile.background_check.status === 'pending') return 'waiting';
    return 'todo';
  }
  if (step.slug === 'areas' && profile.service_areas.length === 0) return 'optional';
  if (step.slug === 'profile' && !profile.bio) return 'todo';
  return 'done';
}

/** What the wizard hands every step component. */
export interface StepProps {
  user: import('../../../lib/api/types').User;
  profile: OwnProfile;
  /** Replace the profile with what a save returned. */
  setProfile: (p: OwnProfile) => void;
  /** Re-read the profile (so `missing` is current) after saves that return something else. */
  reload: () => Promise<void>;
  /** Href of the next step (null on the last). */
  nextHref: string | null;
  /** Href of the previous step (null on the first). */
  backHref: string | null;
}

export function stepHref(slug: StepSlug): string {
  return `/instructor/onboarding/${slug}`;
}
