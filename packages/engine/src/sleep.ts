export { sleep } from '@sluice/core';
