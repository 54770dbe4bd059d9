// The app's page with the toy registered first (modules run in import order).
import './register-page';
import '../../src/renderer/src/main';
