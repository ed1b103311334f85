export declare const FUSES: Record<number, boolean>;
export declare function fusesNotSet(wire: Record<string | number, unknown>): string[];
export declare function electronBinaryPath(context: {
  appOutDir: string;
  electronPlatformName: string;
  packager: { appInfo: { productFilename: string }; executableName: string };
}): string;
export default function afterPack(context: unknown): Promise<void>;
