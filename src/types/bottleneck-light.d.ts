// plugin-throttling and plugin-retry load Bottleneck's light build (no Redis); it has the main build's API.
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck';
  export default Bottleneck;
}
