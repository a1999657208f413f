// The WhatsFlow mark: a chat bubble carrying a flow line, in WhatsApp green.

export function BrandMark({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" className={className} aria-hidden focusable="false">
      <rect width="32" height="32" rx="8" fill="#25D366" />
      <path
        d="M8 12.5c0-2.5 2-4.5 4.5-4.5h7c2.5 0 4.5 2 4.5 4.5v4c0 2.5-2 4.5-4.5 4.5H15l-4.2 3.2c-.5.4-1.1 0-1.1-.6V21A4.5 4.5 0 0 1 8 16.5z"
        fill="#fff"
      />
      <path d="M11.5 14.5h2l1.5-2.5 2 5 1.5-2.5h2" fill="none" stroke="#128C4A" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
