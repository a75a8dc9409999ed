// The route table: one line per page. Patterns use `:name` for params and a trailing `*`
// for "this and everything below". First match wins; anything else renders NotFound.
// Use `component` for pages on the first screen and `load` (a lazy import, own chunk) for
// pages most visitors never open (dashboards, admin).

import type { Component } from 'svelte';
import { compile, matchPath, type CompiledPattern, type RouteParams } from './lib/router';
import Home from './routes/Home.svelte';
import Login from './routes/Login.svelte';
import Search from './routes/search/Search.svelte';
import Signup from './routes/Signup.svelte';

/** Every page receives its route params (`{ id }` for `/instructors/:id`). */
export type PageProps = { params: RouteParams };
export type PageComponent = Component<PageProps>;

export interface RouteDef {
  path: string;
  /** Shown as "<title> · InstaInstru". */
  title: string;
  component?: PageComponent;
  load?: () => Promise<{ default: PageComponent }>;
}

/** The three browse levels share one page (and one chunk). */
const browse = () => import('./routes/browse/Browse.svelte');
/** /student and /student/bookings are the same page. */
const studentLessons = () => import('./routes/student/Dashboard.svelte');

export const routes: RouteDef[] = [
  { path: '/', title: 'Lessons with great local instructors', component: Home },
  { path: '/search', title: 'Find an instructor', component: Search },
  { path: '/login', title: 'Sign in', component: Login },
  { path: '/signup', title: 'Create your account', component: Signup },
  { path: '/verify-email', title: 'Verify your email', load: () => import('./routes/VerifyEmail.svelte') },
  { path: '/forgot-password', title: 'Reset your password', load: () => import('./routes/ForgotPassword.svelte') },
  { path: '/reset-password', title: 'Choose a new password', load: () => import('./routes/ResetPassword.svelte') },
  { path: '/account/*', title: 'Account settings', load: () => import('./routes/Account.svelte') },
  { path: '/unsubscribe', title: 'Email preferences', load: () => import('./routes/Unsubscribe.svelte') },
  { path: '/dev/mailbox', title: 'Mailbox', load: () => import('./routes/DevMailbox.svelte') },
  { path: '/browse', title: 'Browse lessons', load: browse },
  { path: '/browse/:category', title: 'Browse lessons', load: browse },
  { path: '/browse/:category/:service', title: 'Browse lessons', load: browse },
  { path: '/instructors/:id', title: 'Instructor', load: () => import('./routes/instructors/Profile.svelte') },
  { path: '/instructor/onboarding/*', title: 'Instructor setup', load: () => import('./routes/instructor/Onboarding.svelte') },
  { path: '/instructor/availability', title: 'Availability', load: () => import('./routes/instructor/Availability.svelte') },
  { path: '/instructor/schedule', title: 'Schedule', load: () => import('./routes/instructor/Schedule.svelte') },
  { path: '/instructor/schedule/:id', title: 'Lesson', load: () => import('./routes/instructor/ScheduleBooking.svelte') },
  { path: '/instructor/earnings', title: 'Earnings', load: () => import('./routes/instructor/Earnings.svelte') },
  { path: '/instructor/reviews', title: 'Reviews', load: () => import('./routes/instructor/Reviews.svelte') },
  { path: '/student', title: 'My lessons', load: studentLessons },
  { path: '/student/bookings', title: 'My lessons', load: studentLessons },
  { path: '/student/bookings/:id', title: 'Lesson', load: () => import('./routes/student/Booking.svelte') },
  { path: '/student/credits', title: 'Credits', load: () => import('./routes/student/Credits.svelte') },
];

export interface RouteMatch {
  route: RouteDef;
  params: RouteParams;
}

const compiled: Array<{ route: RouteDef; pattern: CompiledPattern }> = routes.map((route) => ({
  route,
  pattern: compile(route.path),
}));

export function findRoute(path: string): RouteMatch | null {
  for (const { route, pattern } of compiled) {
    const params = matchPath(pattern, path);
    if (params) return { route, params };
  }
  return null;
}
