/** A labelled number input whose text the caller keeps (and validates). */
export function NumberInput({
  label,
  name,
  value,
  onChange,
  min,
  max,
}: {
  label: string;
  name: string;
  value: string;
  onChange(value: string): void;
  min?: number;
  max?: number;
}) {
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      <input
        type="number"
        min={min}
        max={max}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        name={name}
      />
    </label>
  );
}
