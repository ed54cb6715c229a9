// Statistics of one 3-D mask or reference: voxels, volume in mL, slices, mean ± SD and min/max of the
// scan's values inside it (HU for CT). Used for the 3-D mask and for every 3-D reference layer.
import type { VolumeStats } from '../../mask/volumeStats';

const num = (v: number, digits = 1): string => (Number.isInteger(v) ? String(v) : v.toFixed(digits));

/** `testid` names the table; its cells are `<cells ?? testid>-voxels`, `-ml`, `-mean`, `-range`. */
export function VolumeStatsTable({ stats, spacingKnown, testid, cells }: { stats: VolumeStats; spacingKnown: boolean; testid: string; cells?: string }) {
  const c = cells ?? testid;
  const unit = stats.unit ? ` ${stats.unit}` : '';
  return (
    <table className="volume-stats" data-testid={testid}>
      <tbody>
        <tr><th>Voxels</th><td data-testid={`${c}-voxels`}>{stats.voxels}</td></tr>
        <tr><th>Volume</th><td data-testid={`${c}-ml`}>{stats.ml.toFixed(stats.ml < 1 ? 3 : 1)} mL{spacingKnown ? '' : ' (1 mm voxels assumed)'}</td></tr>
        <tr><th>Slices with mask</th><td>{stats.slices}</td></tr>
        <tr><th>Mean ± SD</th><td data-testid={`${c}-mean`}>{num(stats.mean)} ± {num(stats.sd)}{unit}</td></tr>
        <tr><th>Min / max</th><td data-testid={`${c}-range`}>{num(stats.min)} / {num(stats.max)}{unit}</td></tr>
      </tbody>
    </table>
  );
}
