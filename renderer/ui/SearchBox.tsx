import { Icon } from './Icon';

/** A list's search field with its icon; the placeholder is its accessible name too. */
export function SearchBox({
  value,
  onValue,
  placeholder,
  testId,
}: {
  value: string;
  onValue: (value: string) => void;
  placeholder: string;
  testId: string;
}) {
  return (
    <label className="search">
      <Icon name="search" size={14} />
      <input
        type="text"
        placeholder={placeholder}
        value={value}
        onChange={(e) => onValue(e.target.value)}
        aria-label={placeholder}
        data-testid={testId}
      />
    </label>
  );
}
