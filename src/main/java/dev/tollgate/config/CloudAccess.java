package dev.tollgate.config;

/**
 * How the gateway reaches a cloud provider whose credential is more than one API key: Vertex AI (a project, a location
 * and an OAuth bearer token) and AWS (SigV4 keys). A Gemini API key or a Bedrock API key is {@link ProviderConfig#apiKey}
 * instead, and {@link ProviderConfig#cloud} is then null.
 */
public sealed interface CloudAccess {

    /**
     * Gemini on Vertex AI: requests go to {@code /v1/projects/{project}/locations/{location}/publishers/google/models/}.
     *
     * @param accessToken an OAuth 2 access token ({@code gcloud auth print-access-token}); sent as a bearer token
     */
    record Vertex(String project, String location, Secret accessToken) implements CloudAccess {}

    /**
     * AWS credentials for SigV4 signing (service {@code bedrock}) in {@code region}.
     *
     * @param sessionToken null for long-term keys
     */
    record Aws(String region, Secret accessKeyId, Secret secretAccessKey, Secret sessionToken) implements CloudAccess {
        @Override
        public String toString() {
            return "Aws[region=" + region + ", accessKeyId=***, secretAccessKey=***, sessionToken="
                    + (sessionToken == null ? "none" : "***") + "]";
        }
    }
}
