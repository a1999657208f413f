// Class-name joining for conditional Tailwind classes.
export { clsx as cn } from 'clsx';
