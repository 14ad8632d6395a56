import axios, { type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';

type GetUri = (this: { defaults: object }, config: object) => string;

// axios's own getUri, called with a `this` that has no defaults (it reads nothing else).
const getUriOf = (axios as { Axios?: { prototype?: { getUri?: GetUri } } }).Axios?.prototype?.getUri;
const NO_DEFAULTS = { defaults: {} };

/**
 * The URL an interceptor's config will be sent to, by axios's own rules (baseURL, absolute URLs,
 * `allowAbsoluteUrls`, params and their serializer). The config an interceptor gets is already
 * merged with the instance's defaults, but `instance.getUri(config)` merges it with them again,
 * headers and all: in the hop benchmark that merge was two thirds of what tracing added to an
 * axios call. Here axios's getUri only sees the fields the URL is made of.
 */
export function requestUrl(instance: AxiosInstance, config: InternalAxiosRequestConfig): string {
  if (typeof getUriOf !== 'function') return instance.getUri(config);
  const { baseURL, url, params, paramsSerializer, allowAbsoluteUrls } = config;
  return getUriOf.call(NO_DEFAULTS, { baseURL, url, params, paramsSerializer, allowAbsoluteUrls });
}
