// Entry point: global styles, router, session, then mount the app.
import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { startRouter } from './lib/router';
import { loadSession } from './lib/session';

startRouter();
void loadSession();

const target = document.getElementById('app');
if (!target) throw new Error('missing #app element');

export default mount(App, { target });
