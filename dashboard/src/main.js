// The dashboard's entry point (index.html loads the bundle of this file):
// the one place that starts the app.
import { init } from './app.js';

init();
