// Entry point of the sandbox page: the server serves this bundle and its CSS with a page
// that has an empty #app.
import { render } from 'preact';

import { App } from './app.js';
import './styles.css';

const root = document.getElementById('app');
if (root) render(<App />, root);
