/** @type {import('next').NextConfig} */
const nextConfig = {
  // The example has no ESLint setup of its own (the repository lints its TypeScript).
  eslint: { ignoreDuringBuilds: true },
};

export default nextConfig;
