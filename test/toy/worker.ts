// The engine worker with the toy registered: the app's own worker entry, after one more algorithm.
import './register-engine';
import '../../src/main/engine/worker';
